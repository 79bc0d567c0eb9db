//! The page's charts as numbers an SVG template places: bars of points per
//! parameter over their weights, and the score climbing as records are
//! fixed. Coordinates are pixels, one decimal.

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

fn px(x: f64) -> String {
    format!("{:.1}", x.max(0.0))
}

impl Bars {
    /// Mean points lost per station by parameter (the state's or a district's).
    pub fn lost(report: &Report, lost: &[f64], lang: Lang) -> Bars {
        let (label_w, room, row) = (330.0, 280.0, 20);
        let widest = report
            .parameters
            .iter()
            .map(|p| p.weight)
            .fold(0.0, f64::max);
        let k = scale(widest, room);
        let rows = report
            .parameters
            .iter()
            .zip(lost)
            .enumerate()
            .map(|(i, (p, lost))| {
                let name = match lang {
                    Lang::En => p.name.clone(),
                    Lang::Hi => p.name_hi.clone(),
                    Lang::Both => format!("{} / {}", p.name, p.name_hi),
                };
                let y = 4 + row * i as u32;
                BarRow {
                    y,
                    text_y: y + 12,
                    label: format!("{} {name}", p.id),
                    back: px(p.weight * k),
                    front: px(lost * k),
                    value_x: px(label_w + p.weight * k + 6.0),
                    value: format!("{} / {}", two(*lost), p.weight),
                }
            })
            .collect::<Vec<_>>();
        Bars {
            width: (label_w + room + 90.0) as u32,
            height: 8 + row * rows.len() as u32,
            bar_x: label_w as u32,
            bar_h: 14,
            rows,
        }
    }

    /// A station's points by parameter against each weight.
    pub fn points(report: &Report, s: &StationReport) -> Bars {
        let (label_w, room, row) = (28.0, 200.0, 14);
        let widest = report
            .parameters
            .iter()
            .map(|p| p.weight)
            .fold(0.0, f64::max);
        let k = scale(widest, room);
        let rows = s
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let y = 2 + row * i as u32;
                BarRow {
                    y,
                    text_y: y + 10,
                    label: p.id.clone(),
                    back: px(p.weight * k),
                    front: px(p.points * k),
                    value_x: px(label_w + p.weight * k + 4.0),
                    value: format!("{}/{}", two(p.points), p.weight),
                }
            })
            .collect::<Vec<_>>();
        Bars {
            width: (label_w + room + 70.0) as u32,
            height: 4 + row * rows.len() as u32,
            bar_x: label_w as u32,
            bar_h: 11,
            rows,
        }
    }
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
            .map(|c| format!("{},{}", px(x(c.fixed)), px(y(c.score))))
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
