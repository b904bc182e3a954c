//! `lrfind evaluate` on a small grid: every rule scored against real trainings.

use crate::{assert_rejected, lrfind_ok, read_json};

#[test]
fn evaluate_scores_every_rule_at_several_budgets_on_a_refined_grid() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("eval");
    lrfind_ok(&[
        "evaluate",
        "-q",
        "--data",
        "breast_cancer",
        "--seeds",
        "2",
        "--grid-range",
        "1e-4:1",
        "--per-decade",
        "2",
        "--refine",
        "4",
        "--epochs-list",
        "1,3",
        "--iters",
        "80",
        "--iters-list",
        "60,80",
        "--out",
        out.to_str().unwrap(),
    ]);
    for f in [
        "evaluate.md",
        "evaluate.json",
        "evaluate.png",
        "evaluate.svg",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let doc = read_json(&out.join("evaluate.json"));
    // The plan's fields sit beside the config in `spec`, as they always have, and read back.
    assert_eq!(
        doc["spec"]["lrs"].as_array().unwrap().len(),
        9,
        "coarse grid"
    );
    let back: lrfind::pipeline::evaluate::Evaluation =
        serde_json::from_slice(&std::fs::read(out.join("evaluate.json")).unwrap()).unwrap();
    assert_eq!(back.spec.plan.seeds, 2);
    assert_eq!(back.spec.plan.iters_list, [60, 80]);
    assert_eq!(back.spec.plan.refine_per_decade, 4);
    let lrs: Vec<f64> = doc["lrs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(lrs.len() > 9, "refined around the best: {lrs:?}");
    assert!(lrs.windows(2).all(|w| w[0] < w[1]), "ascending: {lrs:?}");
    assert_eq!(doc["range_tests"].as_array().unwrap().len(), 2);
    let spe = doc["steps_per_epoch"].as_u64().unwrap();
    let budgets = doc["budgets"].as_array().unwrap();
    assert_eq!(budgets.len(), 2);
    let mut bests = Vec::new();
    for (b, epochs) in budgets.iter().zip([1u64, 3]) {
        assert_eq!(b["epochs"].as_u64().unwrap(), epochs);
        assert_eq!(b["steps"].as_u64().unwrap(), epochs * spe);
        let losses = b["losses"].as_array().unwrap();
        assert_eq!(losses.len(), 2, "one grid per seed");
        assert_eq!(losses[0].as_array().unwrap().len(), lrs.len());
        let (lo, hi) = (
            b["grid"]["interval"][0].as_f64().unwrap(),
            b["grid"]["interval"][1].as_f64().unwrap(),
        );
        let best = lrs[b["grid"]["best"].as_u64().unwrap() as usize];
        assert!(lo <= best && best <= hi);
        // Too small an LR learns nothing: the best is not the grid's first point.
        assert!(best > 1e-4, "{best}");
        // The refinement puts points at a quarter decade (4 per decade) around the best.
        assert!(
            lrs.iter()
                .any(|&x| ((x / best).log10() - 0.25).abs() < 1e-6),
            "{best} {lrs:?}"
        );
        bests.push(best);
        let rules = b["rules"].as_array().unwrap();
        assert_eq!(rules.len(), lrfind::Method::ALL.len());
        for r in rules {
            let suggestions = r["suggestions"].as_array().unwrap();
            let outside = r["outside"].as_array().unwrap();
            assert_eq!(suggestions.len(), 2, "{r}");
            assert_eq!(outside.len(), 2, "a refusal is scored too: {r}");
            assert_eq!(r["by_iters"].as_array().unwrap().len(), 2, "{r}");
            let mut refusals = 0;
            for (lr, d) in suggestions.iter().zip(outside) {
                let d = d.as_f64().unwrap();
                match lr.as_f64() {
                    Some(lr) => assert_eq!(lr >= lo && lr <= hi, d == 0.0, "{r}"),
                    None => {
                        refusals += 1;
                        assert_eq!(d, 1.0, "a refusal is a one-decade miss: {r}")
                    }
                }
            }
            assert_eq!(r["refusals"].as_u64().unwrap(), refusals);
            let mean = outside.iter().map(|d| d.as_f64().unwrap()).sum::<f64>() / 2.0;
            let (a, z) = (
                r["outside_interval"][0].as_f64().unwrap(),
                r["outside_interval"][1].as_f64().unwrap(),
            );
            assert!(a <= mean + 1e-12 && mean <= z + 1e-12, "{r}");
        }
    }
    // One epoch of breast_cancer (5 steps) wants a higher LR than three.
    assert!(bests[0] >= bests[1], "{bests:?}");
    assert_eq!(doc["confidence"].as_array().unwrap().len(), 2);
    let md = std::fs::read_to_string(out.join("evaluate.md")).unwrap();
    assert!(
        md.contains("## 1 epoch(s), ") && md.contains("## 3 epoch(s), ") && md.contains("| knee |"),
        "{md}"
    );
    assert!(
        md.contains(
            "Does the confidence track the regret at 1 epoch(s)? Too few seeds to judge (needs 5"
        ) && md.contains("at 3 epoch(s)? Too few seeds"),
        "two seeds cannot show a tracking, whatever the number of lengths: {md}"
    );
}

#[test]
fn evaluate_budgets_must_be_listed_once_in_order() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("eval");
    assert_rejected(
        &[
            "evaluate",
            "--epochs-list",
            "5,1",
            "--out",
            out.to_str().unwrap(),
        ],
        &out,
        "Error: --epochs-list: lists each training length once, in increasing order",
    );
    assert_rejected(
        &[
            "evaluate",
            "--epochs-list",
            "0",
            "--out",
            out.to_str().unwrap(),
        ],
        &out,
        "Error: --epochs-list: needs at least one training length, each at least 1 epoch",
    );
}

#[test]
fn a_bad_grid_range_is_named_once() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("eval");
    assert_rejected(
        &[
            "evaluate",
            "--grid-range",
            "1:1e-3",
            "--out",
            out.to_str().unwrap(),
        ],
        &out,
        "Error: --grid-range: needs 0 < LOW < HIGH, got '1:1e-3'",
    );
}

/// The knee rule's answer is expressed for a reference ramp rate, so a test with 3x more
/// steps per decade (where the loss falls at a lower LR) suggests about the same LR.
/// Measured on every evaluate case: 0.14 decades apart on average between 100, 300 and
/// 1000 iterations; the earlier knee and the anchors' rules moved 0.4 to 1.6 decades.
#[test]
fn knee_changes_little_with_the_iteration_count() {
    let dir = crate::TempDir::new();
    let knee = |iters: &str| {
        let out = dir.path().join(iters);
        lrfind_ok(&[
            "suggest",
            "-q",
            "--iters",
            iters,
            "--out",
            out.to_str().unwrap(),
        ]);
        let doc = read_json(&out.join("lr_find.json"));
        let steep = doc["suggestions"]["steep"]["lr"].as_f64().unwrap();
        (doc["suggestions"]["knee"]["lr"].as_f64().unwrap(), steep)
    };
    let (short, steep_short) = knee("100");
    let (long, steep_long) = knee("1000");
    let apart = (short / long).log10().abs();
    assert!(
        apart < 0.3,
        "knee {short:e} at 100 vs {long:e} at 1000 iterations"
    );
    // The curve itself moves: fastai's steepest point moves by more than half a decade.
    let steep_apart = (steep_short / steep_long).log10().abs();
    assert!(steep_apart > 0.5, "steep {steep_short:e} vs {steep_long:e}");
}

/// `--arms`: whole recipes on the grid's seeds, beside the grid's best, with their cost.
#[test]
fn evaluate_scores_recipes_beside_the_grids_best() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("arms");
    lrfind_ok(&[
        "evaluate",
        "-q",
        "--data",
        "digits",
        "--arms",
        "prodigy,schedule-free-adamw,schedule-free-suggested",
        "--seeds",
        "2",
        "--grid-range",
        "1e-3:1",
        "--per-decade",
        "2",
        "--refine",
        "0",
        "--epochs-list",
        "1,3",
        "--iters",
        "80",
        "--iters-list",
        "80",
        "--out",
        out.to_str().unwrap(),
    ]);
    let doc = read_json(&out.join("evaluate.json"));
    let spe = doc["steps_per_epoch"].as_u64().unwrap();
    let grid = doc["lrs"].as_array().unwrap().len() as u64;
    for (b, epochs) in doc["budgets"].as_array().unwrap().iter().zip([1u64, 3]) {
        let names: Vec<&str> = b["arms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["arm"].as_str().unwrap())
            .collect();
        // The range test's own recipes come first, then the ones asked for.
        assert_eq!(
            names,
            [
                "constant",
                "onecycle",
                "prodigy",
                "schedule-free-adamw",
                "schedule-free-suggested"
            ]
        );
        let steps = epochs * spe;
        // Schedule-Free at its own range test's suggestion pays for that test.
        for seed in b["arms"][4]["seeds"].as_array().unwrap() {
            assert!(seed["cost_steps"].as_u64().unwrap() > steps, "{seed}");
            assert_ne!(seed["lr"], 0.0025);
        }
        assert_eq!(b["grid_best"]["seeds"][0]["cost_steps"], grid * steps);
        let rt = doc["range_tests"][0]["lrs"].as_array().unwrap().len() as u64;
        for (a, cost) in
            b["arms"]
                .as_array()
                .unwrap()
                .iter()
                .zip([rt + steps, rt + steps, steps, steps])
        {
            for seed in a["seeds"].as_array().unwrap() {
                assert_eq!(seed["cost_steps"], cost, "{}", a["arm"]);
                assert!(seed["val_loss"].as_f64().is_some_and(f64::is_finite), "{a}");
            }
        }
        // Prodigy's LR is its multiplier, 1; Schedule-Free's its default 2.5e-3.
        assert_eq!(b["arms"][2]["seeds"][0]["lr"], 1.0);
        assert_eq!(b["arms"][3]["seeds"][0]["lr"], 0.0025);
        // The constant arm trains the suggestion the rules' table scores for this budget.
        let chosen = doc["spec"]["config"]["range_test"]["method"]
            .as_str()
            .unwrap()
            .to_string();
        let rule = b["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["method"] == chosen.as_str())
            .unwrap();
        assert_eq!(b["arms"][0]["seeds"][0]["lr"], rule["suggestions"][0]);
    }
    let md = std::fs::read_to_string(out.join("evaluate.md")).unwrap();
    assert!(md.contains("### Recipes at 3 epoch(s)"), "{md}");
    for row in [
        "| grid's best (the bar) |",
        "| prodigy | 1 |",
        "| schedule-free-adamw | 2.5e-3 |",
    ] {
        assert!(md.contains(row), "{row} in {md}");
    }
    assert_rejected(
        &[
            "evaluate",
            "--arms",
            "prodigy,prodigy",
            "--out",
            dir.path().join("x").to_str().unwrap(),
        ],
        &dir.path().join("x"),
        "Error: --arms: 'prodigy' is listed twice",
    );
}

/// A class too rare to reach the validation part (2 of pbmc_small's 200 cells) does not stop
/// an evaluation: the validation loss is over the rows the part has, as in `suggest`.
#[test]
fn a_class_missing_from_the_validation_part_is_evaluated() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("eval");
    lrfind_ok(&[
        "evaluate",
        "-q",
        "--data",
        concat!(env!("CARGO_MANIFEST_DIR"), "/assets/pbmc_small.csv"),
        "--hidden",
        "16",
        "--seeds",
        "1",
        "--grid-range",
        "1e-3:1e-1",
        "--per-decade",
        "2",
        "--epochs",
        "1",
        "--iters",
        "60",
        "--iters-list",
        "60",
        "--out",
        out.to_str().unwrap(),
    ]);
    let doc = read_json(&out.join("evaluate.json"));
    let losses = doc["budgets"][0]["grid"]["mean_loss"].as_array().unwrap();
    assert!(losses.len() >= 5, "{losses:?}");
    assert!(
        losses
            .iter()
            .all(|l| l.as_f64().is_some_and(f64::is_finite))
    );
}

/// `evaluate` on a grid of one LR per decade without refinement, 40-iteration range tests
/// and one training length, with `args` (data, seeds, grid range, epochs and the like) into
/// `out`: its `evaluate.json`.
fn evaluate_small(out: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["evaluate", "-q", "--per-decade", "1", "--refine", "0"];
    all.extend(["--iters", "40", "--iters-list", "40"]);
    all.extend(args);
    all.extend(["--out", out.to_str().unwrap()]);
    lrfind_ok(&all);
    read_json(&out.join("evaluate.json"))
}

/// `--keep-last-batch`: the grid's trainings end each epoch on its short batch, as
/// PyTorch's loader does (iris: 120 training rows at batch 64, 2 steps an epoch instead of
/// 1), and every rule is asked for the steps those trainings take.
#[test]
fn evaluate_keeps_the_last_short_batch_when_asked() {
    let dir = crate::TempDir::new();
    let run = |name: &str, extra: &[&str]| {
        let mut args = vec!["--data", "assets/iris.csv", "--seeds", "1"];
        args.extend(["--grid-range", "1e-3:1", "--epochs", "2"]);
        args.extend(extra);
        evaluate_small(&dir.path().join(name), &args)
    };
    let dropped = run("dropped", &[]);
    let kept = run("kept", &["--keep-last-batch"]);
    assert_eq!(dropped["steps_per_epoch"], 1);
    assert_eq!(kept["steps_per_epoch"], 2);
    assert_eq!(dropped["budgets"][0]["steps"], 2);
    assert_eq!(kept["budgets"][0]["steps"], 4);
    assert_ne!(
        dropped["budgets"][0]["grid"]["mean_loss"], kept["budgets"][0]["grid"]["mean_loss"],
        "the trainings differ"
    );
}

/// Each seed splits the table anew: Covid3Month's far-out country lands in the validation
/// part on seeds 0 and 4 of five, and the report names both.
#[test]
fn evaluate_names_the_seeds_whose_split_holds_far_out_values() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("covid");
    let mut args = vec!["--data", "assets/covid3month.csv", "--target", "target"];
    args.extend(["--seeds", "5", "--grid-range", "1e-3:1e-2", "--epochs", "1"]);
    let doc = evaluate_small(&out, &args);
    let seeds: Vec<u64> = (doc["far_outside"].as_array().unwrap().iter())
        .map(|f| f["seed"].as_u64().unwrap())
        .collect();
    assert_eq!(seeds, [0, 4]);
    assert_eq!(doc["far_outside"][0]["column"], "t_26");
    let md = std::fs::read_to_string(out.join("evaluate.md")).unwrap();
    assert!(
        md.contains("**Warning**, on the splits of seed(s) 0, 4 (seed 0's shown)"),
        "{md}"
    );
}
