//! One number per step series, for a table column: its minimum, its maximum, or its
//! value at a chosen step — "the best epoch", which the last value in a metrics file
//! does not tell (MLflow and ClearML users ask for it). Each comes with the step it was
//! reached at.

use serde::Serialize;

use crate::series::Series;

/// What to take from a series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Stat {
    /// The smallest value; the earliest step reaching it.
    Min,
    /// The largest value; the earliest step reaching it.
    Max,
    /// The value logged at exactly this step (x), if any.
    At(f64),
}

/// A value of a series and the step (x) it was logged at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepValue {
    /// The x of the point (DVCLive's `step`).
    pub step: f64,
    /// Its value.
    pub value: f64,
}

/// `stat` of `series`, ignoring points whose value is not a finite number (a diverged
/// run's `NaN` is not its minimum). `None` when no point qualifies.
pub fn summarize(series: &Series, stat: Stat) -> Option<StepValue> {
    let mut finite = series
        .points
        .iter()
        .filter(|p| p.1.is_finite())
        .map(|&(step, value)| StepValue { step, value });
    match stat {
        // Strict comparisons keep the first point of a tie: the step it was first reached.
        Stat::Min => finite.reduce(|best, p| if p.value < best.value { p } else { best }),
        Stat::Max => finite.reduce(|best, p| if p.value > best.value { p } else { best }),
        // Points are in x order; a step logged twice (a resumed run) keeps its last value.
        Stat::At(step) => finite.rfind(|p| p.step == step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(f64, f64)]) -> Series {
        Series {
            name: "loss".into(),
            file: "dvclive/plots/metrics/loss.tsv".into(),
            points: points.to_vec(),
        }
    }

    fn at(step: f64, value: f64) -> Option<StepValue> {
        Some(StepValue { step, value })
    }

    #[test]
    fn min_and_max_name_the_first_step_that_reached_them() {
        let s = series(&[
            (0.0, 0.9),
            (1.0, 0.4),
            (2.0, 0.7),
            (3.0, 0.4),
            (4.0, 0.95),
            (5.0, 0.95),
        ]);
        assert_eq!(summarize(&s, Stat::Min), at(1.0, 0.4));
        assert_eq!(summarize(&s, Stat::Max), at(4.0, 0.95));
    }

    #[test]
    fn values_that_are_not_numbers_are_skipped() {
        let s = series(&[
            (0.0, f64::NAN),
            (1.0, 2.0),
            (2.0, f64::NEG_INFINITY),
            (3.0, 3.0),
            (4.0, f64::INFINITY),
        ]);
        assert_eq!(summarize(&s, Stat::Min), at(1.0, 2.0));
        assert_eq!(summarize(&s, Stat::Max), at(3.0, 3.0));
        assert_eq!(summarize(&s, Stat::At(2.0)), None);
        assert_eq!(summarize(&series(&[(0.0, f64::NAN)]), Stat::Min), None);
        assert_eq!(summarize(&series(&[]), Stat::Max), None);
    }

    #[test]
    fn a_chosen_step_is_matched_exactly() {
        let s = series(&[(0.0, 1.0), (10.0, 2.0), (20.0, 3.0), (20.0, 3.5)]);
        assert_eq!(summarize(&s, Stat::At(10.0)), at(10.0, 2.0));
        assert_eq!(summarize(&s, Stat::At(15.0)), None, "no interpolation");
        assert_eq!(
            summarize(&s, Stat::At(20.0)),
            at(20.0, 3.5),
            "a step logged twice keeps its last value"
        );
    }
}
