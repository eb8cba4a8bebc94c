//! Test results, as the patient's and the clinician's record pages both show them: the newest
//! value of each test with its normal range and, in words, whether it is outside it; a test
//! measured more than once gets a small trend chart (SVG, drawn on the server, with a title and
//! description) and a table of every value, which is the chart's text alternative.

use domain::test_result::RangeVerdict;
use leptos::prelude::*;

use crate::{
    components::{Heading, ScrollingTable},
    patients::{MeasurementDto, TestResultDto, TrendDto},
};

#[component]
pub fn TestResults(
    results: Vec<TestResultDto>,
    empty: &'static str,
    /// Makes the charts' ids unique on a page with more than one list.
    chart_prefix: &'static str,
) -> impl IntoView {
    if results.is_empty() {
        return view! { <p>{empty}</p> }.into_any();
    }
    results
        .into_iter()
        .enumerate()
        .map(|(n, result)| view! { <TestResult result chart_id=format!("{chart_prefix}-trend-{n}") /> })
        .collect_view()
        .into_any()
}

#[component]
fn TestResult(result: TestResultDto, chart_id: String) -> impl IntoView {
    let TestResultDto {
        name,
        unit,
        range,
        measurements,
        trend,
    } = result;
    let newest = measurements.first().cloned();
    let several = measurements.len() > 1;
    let with_unit = {
        let unit = unit.clone();
        move |value: &str| {
            if unit.is_empty() {
                value.to_owned()
            } else {
                format!("{value} {unit}")
            }
        }
    };
    view! {
        <div class="result">
            <h3>{name.clone()}</h3>
            {newest.map(|newest| view! {
                <p class="result-newest">
                    <span class="result-value">{with_unit(&newest.value)}</span>
                    " "
                    <Verdict verdict=newest.verdict />
                </p>
                <p class="result-meta">
                    {newest.date.map(|date| format!("Taken on {date}. "))}
                    {range.map(|range| format!("Normal range: {range}."))}
                </p>
            })}
            {trend.map(|trend| view! { <TrendChart trend name=name.clone() unit=unit.clone() id=chart_id /> })}
            {several.then(|| view! { <ResultTable name measurements with_unit /> })}
        </div>
    }
}

/// "Above the normal range", in words (the colour only repeats it).
#[component]
fn Verdict(verdict: Option<RangeVerdict>) -> impl IntoView {
    verdict.map(|verdict| {
        let class = if verdict.is_outside() {
            "tag"
        } else {
            "tag tag-green"
        };
        view! { <strong class=class>{verdict.words()}</strong> }
    })
}

#[component]
fn ResultTable(
    name: String,
    measurements: Vec<MeasurementDto>,
    with_unit: impl Fn(&str) -> String + Send + 'static,
) -> impl IntoView {
    let caption = format!("Every {} result", name.to_lowercase());
    view! {
        // Three columns can be wider than a phone with large text: the table scrolls on its own.
        <ScrollingTable
            caption=caption
            headings=&[
                Heading::Text("Date"),
                Heading::Text("Result"),
                Heading::Text("Compared with the normal range"),
            ]
        >
            {measurements
                .into_iter()
                .map(|m| view! {
                    <tr>
                        <td>{m.date.unwrap_or_else(|| "Not recorded".to_owned())}</td>
                        <td>{with_unit(&m.value)}</td>
                        <td>{m.verdict.map_or("Not known", RangeVerdict::words)}</td>
                    </tr>
                })
                .collect_view()}
        </ScrollingTable>
    }
}

/// The chart's drawing area, in SVG user units; it scales to the width it is given.
const WIDTH: f64 = 300.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 16.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 26.0;
/// More points than this and the values are not written beside them (the table has them all).
const LABELLED_POINTS: usize = 6;

/// Where everything in a trend chart goes.
#[derive(Debug, PartialEq)]
struct ChartLayout {
    /// (x, y) of each point, oldest first.
    points: Vec<(f64, f64)>,
    /// The normal range as a band: (top y, height).
    band: Option<(f64, f64)>,
}

fn layout(trend: &TrendDto) -> ChartLayout {
    let values = trend.points.iter().map(|p| p.value);
    let range_ends = trend
        .range
        .iter()
        .flat_map(|range| [range.low, range.high])
        .flatten();
    let (mut lowest, mut highest) = values
        .chain(range_ends)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let padding = if highest > lowest {
        (highest - lowest) * 0.1
    } else {
        1.0
    };
    lowest -= padding;
    highest += padding;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y = |value: f64| TOP + (highest - value) / (highest - lowest) * plot_height;
    let first = trend.points.first().map_or(0, |p| p.at);
    let last = trend.points.last().map_or(0, |p| p.at);
    let plot_width = WIDTH - LEFT - RIGHT;
    let x = |at: i64| {
        if last > first {
            LEFT + (at - first) as f64 / (last - first) as f64 * plot_width
        } else {
            LEFT + plot_width / 2.0
        }
    };
    let band = trend.range.map(|range| {
        let top = range.high.map_or(TOP, y);
        let bottom = range.low.map_or(TOP + plot_height, y);
        (top, bottom - top)
    });
    ChartLayout {
        points: trend.points.iter().map(|p| (x(p.at), y(p.value))).collect(),
        band,
    }
}

#[component]
fn TrendChart(trend: TrendDto, name: String, unit: String, id: String) -> impl IntoView {
    let ChartLayout { points, band } = layout(&trend);
    let line = points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let values: Vec<String> = trend.points.iter().map(|p| p.value.to_string()).collect();
    let description = format!(
        "{} results from {} to {}: {} {unit}.{}",
        values.len(),
        trend.first_label,
        trend.last_label,
        values.join(", "),
        if band.is_some() {
            " The shaded band is the normal range."
        } else {
            ""
        },
    );
    let labelled = points.len() <= LABELLED_POINTS;
    let axis = (HEIGHT - BOTTOM).to_string();
    let under = (HEIGHT - 8.0).to_string();
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    view! {
        <svg
            class="trend-chart"
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img"
            aria-labelledby=title_id.clone()
            aria-describedby=desc_id.clone()
        >
            <title id=title_id.clone()>{format!("{name} over time")}</title>
            <desc id=desc_id.clone()>{description}</desc>
            {band.map(|(top, height)| view! {
                <rect x=LEFT.to_string() y=format!("{top:.1}") width=(WIDTH - LEFT - RIGHT).to_string() height=format!("{height:.1}") fill="#cce6d6" />
            })}
            <line x1=LEFT.to_string() y1=axis.clone() x2=(WIDTH - RIGHT).to_string() y2=axis stroke="#4c6272" stroke-width="1" />
            <polyline points=line fill="none" stroke="#005eb8" stroke-width="3" />
            {points
                .iter()
                .zip(values)
                .map(|(&(x, y), value)| view! {
                    <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="5" fill="#005eb8" />
                    {labelled.then(|| view! {
                        <text x=format!("{x:.1}") y=format!("{:.1}", y - 9.0) text-anchor="middle" font-size="13" fill="#212b32">{value}</text>
                    })}
                })
                .collect_view()}
            <text x=LEFT.to_string() y=under.clone() font-size="13" fill="#212b32">{trend.first_label}</text>
            <text x=(WIDTH - RIGHT).to_string() y=under text-anchor="end" font-size="13" fill="#212b32">{trend.last_label}</text>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patients::TrendPoint;
    use domain::test_result::ReferenceRange;

    fn trend(values: &[(i64, f64)], range: Option<ReferenceRange>) -> TrendDto {
        TrendDto {
            points: values
                .iter()
                .map(|&(at, value)| TrendPoint { at, value })
                .collect(),
            range,
            first_label: "Oct 2024".into(),
            last_label: "Aug 2026".into(),
        }
    }

    #[test]
    fn points_are_spaced_by_time_and_higher_values_drawn_higher() {
        let drawn = layout(&trend(&[(0, 6.1), (300, 5.6), (400, 4.8)], None));
        let [(x0, y0), (x1, y1), (x2, y2)] = drawn.points[..] else {
            panic!("three points");
        };
        assert_eq!(
            (x0, x2),
            (LEFT, WIDTH - RIGHT),
            "first and last at the edges"
        );
        assert!((x1 - (LEFT + 0.75 * (WIDTH - LEFT - RIGHT))).abs() < 1e-9);
        assert!(y0 < y1 && y1 < y2, "falling values go down the chart");
        for y in [y0, y1, y2] {
            assert!((TOP..=HEIGHT - BOTTOM).contains(&y));
        }
    }

    #[test]
    fn the_normal_range_band_spans_its_ends_and_an_open_end_runs_to_the_edge() {
        let up_to_five = Some(ReferenceRange {
            low: None,
            high: Some(5.0),
        });
        let drawn = layout(&trend(&[(0, 6.1), (10, 4.8)], up_to_five));
        let (top, height) = drawn.band.unwrap();
        assert!(drawn.points[0].1 < top, "6.1 is above the band");
        assert!(drawn.points[1].1 > top, "4.8 is inside it");
        assert!(
            (top + height - (HEIGHT - BOTTOM)).abs() < 1e-9,
            "no low end"
        );
    }

    #[test]
    fn equal_values_at_one_moment_still_fit_the_chart() {
        let drawn = layout(&trend(&[(5, 3.0), (5, 3.0)], None));
        for (x, y) in drawn.points {
            assert!(x.is_finite() && y.is_finite());
            assert!((TOP..=HEIGHT - BOTTOM).contains(&y));
        }
    }
}
