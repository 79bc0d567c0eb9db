//! The page's charts as numbers an SVG template places: bars of points per
//! parameter over their weights, and the score climbing as records are
//! fixed. Coordinates are whole pixels.

use super::html::two;
use super::model::{Report, StationReport};
use super::words::Lang;
use crate::score::PathToFirst;

/// Bars, one per parameter of the model.
pub struct Bars {
    /// Width of the drawing.
    pub width: u32,
    /// Height of the drawing.
    pub height: u32,
    /// Where bars start.
    pub bar_x: u32,
    /// Height of a bar.
    pub bar_h: u32,
    /// Where values are written when they share one column (a thana's chart).
    pub column_x: u32,
    /// Every weight's bar as one SVG path (so that a chart's only rects are its values).
    pub weights: String,
    /// One row per parameter.
    pub rows: Vec<BarRow>,
}

/// One parameter's row.
pub struct BarRow {
    /// Top of the bar.
    pub y: u32,
    /// Baseline of its texts.
    pub text_y: u32,
    /// The parameter.
    pub label: String,
    /// Width of its weight.
    pub back: String,
    /// Width of its value.
    pub front: String,
    /// Where the value's text starts.
    pub value_x: String,
    /// The value as text.
    pub value: String,
}

/// Pixels per point of weight at the widest bar.
fn scale(widest: f64, room: f64) -> f64 {
    room / widest.max(1e-9)
}

/// Whole pixels.
fn px(x: f64) -> String {
    format!("{:.0}", x.max(0.0))
}

/// Where a chart's parts go, in pixels.
struct Layout {
    /// Width of the labels' column.
    label_w: f64,
    /// Width of the widest weight's bar.
    room: f64,
    /// Height of a row.
    row: u32,
    /// Height of a bar.
    bar_h: u32,
    /// Room after the widest bar for its value.
    tail: f64,
}

impl Layout {
    /// Rows of `(label, weight, value, value's text)`.
    fn bars(&self, widest: f64, rows: impl Iterator<Item = (String, f64, f64, String)>) -> Bars {
        let k = scale(widest, self.room);
        let gap = (self.row - self.bar_h) / 2;
        let rows: Vec<BarRow> = rows
            .enumerate()
            .map(|(i, (label, weight, value, text))| {
                let y = gap + self.row * i as u32;
                BarRow {
                    y,
                    text_y: y + self.bar_h - 2,
                    label,
                    back: px(weight * k),
                    front: px(value * k),
                    value_x: px(self.label_w + weight * k + 5.0),
                    value: text,
                }
            })
            .collect();
        Bars {
            width: (self.label_w + self.room + self.tail) as u32,
            height: 2 * gap + self.row * rows.len() as u32,
            bar_x: self.label_w as u32,
            bar_h: self.bar_h,
            column_x: (self.room + 4.0) as u32,
            weights: rows
                .iter()
                .map(|r| {
                    format!(
                        "M{} {}h{}v{}H{}z",
                        self.label_w, r.y, r.back, self.bar_h, self.label_w
                    )
                })
                .collect(),
            rows,
        }
    }
}

/// The layout of a thana's chart: its points by parameter against the
/// weights. Its bars' height is the stylesheet's (`svg.thana rect`), which a
/// test keeps equal to `bar_h`.
fn thana_layout() -> Layout {
    Layout {
        label_w: 28.0,
        room: 200.0,
        row: 14,
        bar_h: 11,
        tail: 40.0,
    }
}

impl Bars {
    /// Mean points lost per station by parameter (the state's or a district's).
    pub fn lost(report: &Report, lost: &[f64], lang: Lang) -> Bars {
        let layout = Layout {
            label_w: 330.0,
            room: 280.0,
            row: 20,
            bar_h: 14,
            tail: 90.0,
        };
        let rows = report.parameters.iter().zip(lost).map(|(p, lost)| {
            let name = match lang {
                Lang::En => p.name.clone(),
                Lang::Hi => p.name_hi.clone(),
                Lang::Both => format!("{} / {}", p.name, p.name_hi),
            };
            let text = format!("{} / {}", two(*lost), p.weight);
            (format!("{} {name}", p.id), p.weight, *lost, text)
        });
        layout.bars(widest(report), rows)
    }

    /// A station's points by parameter against each weight, written where
    /// points were lost; its labels and weights are the [`Bars::axis`], drawn
    /// once per page.
    pub fn points(report: &Report, s: &StationReport) -> Bars {
        let rows = s.parameters.iter().map(|p| {
            let text = match p.points < p.weight {
                true => two(p.points),
                false => String::new(),
            };
            (p.id.clone(), p.weight, p.points, text)
        });
        thana_layout().bars(widest(report), rows)
    }

    /// The parameters and their weights behind every thana's chart.
    pub fn axis(report: &Report) -> Bars {
        let rows = report
            .parameters
            .iter()
            .map(|p| (p.id.clone(), p.weight, 0.0, String::new()));
        thana_layout().bars(widest(report), rows)
    }
}

/// The largest weight of the model.
fn widest(report: &Report) -> f64 {
    report
        .parameters
        .iter()
        .map(|p| p.weight)
        .fold(0.0, f64::max)
}

/// The score after each record fixed, against the leader's score.
pub struct Climb {
    /// Width of the drawing.
    pub width: u32,
    /// Height of the drawing.
    pub height: u32,
    /// Where the plot starts.
    pub left: u32,
    /// The polyline's points.
    pub points: String,
    /// The leader's line.
    pub leader_y: String,
    /// Where the leader's score is written.
    pub leader_text_y: String,
    /// The leader's score.
    pub leader: String,
    /// Where the starting score is written.
    pub start_y: String,
    /// The starting score.
    pub start: String,
    /// Where the count of records is written.
    pub end_x: u32,
    /// "+N records".
    pub fixed: String,
}

impl Climb {
    /// The chart of a station's climb, when it has one to draw.
    pub fn of(s: &StationReport, path: &PathToFirst) -> Option<Climb> {
        let (first, last) = (s.climb.first()?, s.climb.last()?);
        if last.fixed == 0 {
            return None;
        }
        let (width, height, left, top) = (300u32, 70u32, 44.0, 8.0);
        let low = first.score.min(path.leader_score);
        let high = last.score.max(path.leader_score);
        let span = (high - low).max(0.01);
        let plot_h = f64::from(height) - top - 14.0;
        let y = |score: f64| top + (high - score) / span * plot_h;
        let x = |fixed: usize| {
            left + fixed as f64 / last.fixed as f64 * (f64::from(width) - left - 4.0)
        };
        let points = s
            .climb
            .iter()
            .map(|c| format!("{:.0},{:.0}", x(c.fixed), y(c.score)))
            .collect::<Vec<_>>()
            .join(" ");
        Some(Climb {
            width,
            height,
            left: left as u32,
            points,
            leader_y: px(y(path.leader_score)),
            leader_text_y: px(y(path.leader_score) + 4.0),
            leader: two(path.leader_score),
            start_y: px(y(first.score) + 4.0),
            start: two(first.score),
            end_x: width - 90,
            fixed: format!("+{} → {}", last.fixed, two(last.score)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_draws_thana_bars_as_high_as_the_layout() {
        let css = include_str!("../../templates/report.css");
        let rule = format!(
            "svg.thana rect{{fill:#2e6da4;height:{}px}}",
            thana_layout().bar_h
        );
        assert!(css.contains(&rule), "{rule}");
    }
}
