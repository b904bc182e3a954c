//! Property tests: random curves of 0 to 1000 points with NaN and infinity anywhere never
//! make a rule panic, and every reported suggestion lies inside the tested range.

use lrfind::analysis::rules::Curve;
use lrfind::analysis::smoothing::ema_debiased;
use lrfind::analysis::{Method, suggest_all};
use proptest::prelude::*;

fn loss() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => 0.0f64..10.0,
        1 => Just(f64::NAN),
        1 => prop_oneof![Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(0.0), Just(1e300)],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn rules_never_panic_and_stay_in_range(
        losses in prop::collection::vec(loss(), 0..1000),
        log_start in -9.0f64..-3.0,
        decades in 0.5f64..9.0,
        num_it in 0usize..1200,
    ) {
        let n = losses.len();
        let lrs: Vec<f64> = (0..n)
            .map(|i| 10f64.powf(log_start + decades * i as f64 / (n.max(2) - 1) as f64))
            .collect();
        let smoothed = ema_debiased(&losses, 0.98);
        let curve = Curve::training(&lrs, &losses, &smoothed, num_it);
        let all = suggest_all(&curve, Method::Knee);
        for s in &all.all {
            if let Some(lr) = s.lr {
                prop_assert!(lr >= lrs[0] && lr <= lrs[n - 1], "{:?} {lr} outside", s.method);
                let i = s.index.unwrap();
                prop_assert!(i < n);
            } else {
                prop_assert!(s.reason.is_some());
            }
        }
    }
}
