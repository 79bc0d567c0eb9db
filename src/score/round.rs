//! Rounding for output: halves away from zero (99.625 is written 99.63).

/// `x` rounded to `digits` decimals, halves away from zero. A value within a
/// relative 1e-9 of a half (binary noise of a computed decimal half) counts
/// as the half.
pub fn round_half_away(x: f64, digits: i32) -> f64 {
    let factor = 10f64.powi(digits);
    let scaled = x * factor;
    let nudged = scaled + scaled.signum() * scaled.abs().max(1.0) * 1e-9;
    nudged.round() / factor
}

/// The two-decimal value as an integer count of hundredths, for exact comparisons.
pub fn hundredths(x: f64) -> i64 {
    (round_half_away(x, 2) * 100.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_go_away_from_zero() {
        assert_eq!(round_half_away(99.625, 2), 99.63);
        assert_eq!(round_half_away(-0.125, 2), -0.13);
        assert_eq!(round_half_away(0.124, 2), 0.12);
        assert_eq!(round_half_away(94.385, 2), 94.39);
        assert_eq!(round_half_away(1.00005, 4), 1.0001);
        assert_eq!(hundredths(93.375), 9338);
    }
}
