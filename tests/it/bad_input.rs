//! The bad-input matrix, command by command: each case exits 1 with one line naming the
//! flag, file or column, and leaves nothing in the output folder. (suggest's data errors are
//! in cli.rs; the signal cases in signals.rs.)

use crate::assert_rejected;

/// Runs each case with `--out` added; every one must be refused by name with nothing written.
fn refuse_all(cases: &[(&[&str], &str)]) {
    let dir = crate::TempDir::new();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    for (args, needle) in cases {
        let mut all = args.to_vec();
        all.extend(["--out", o]);
        assert_rejected(&all, &out, needle);
    }
}

#[test]
fn suggest_refuses_limits_and_conflicts() {
    // The data errors of suggest are in cli.rs (bad_input_is_rejected_with_one_line...).
    refuse_all(&[
        (
            &["suggest", "--iters", "2000000"],
            "Error: --iters: must be at most 1000000 (each iteration is a training step",
        ),
        (
            &["suggest", "--threads", "5000"],
            "Error: --threads: must be at most 1024",
        ),
        (
            &["suggest", "--threads", "0"],
            "Error: --threads: must be at least 1",
        ),
        (
            &["suggest", "--repeats", "5000"],
            "Error: --repeats: must be at most 1000 (each repeat is a whole range test)",
        ),
        (
            &["suggest", "--repeats", "0"],
            "Error: --repeats: must be at least 1",
        ),
        (
            &["suggest", "--epochs", "5", "--steps", "100"],
            "Error: --steps: give the training length once",
        ),
        (
            &["suggest", "--epochs", "0"],
            "Error: --epochs: must be at least 1",
        ),
        (
            &["suggest", "--suggest-on", "validation"],
            "Error: --suggest-on: the validation curve needs --val-every K",
        ),
        (
            &["suggest", "--smooth", "1"],
            "Error: --smooth: must be in [0, 1)",
        ),
        (
            &["suggest", "--diverge", "0.5"],
            "Error: --diverge: must be above 1 (or 0 to disable)",
        ),
        (
            &["suggest", "--momentum", "0.9"],
            "Error: --momentum: applies to --optimizer sgd only",
        ),
        (
            &["suggest", "--dropout", "1"],
            "Error: --dropout: must be in [0, 1)",
        ),
        (
            &["suggest", "--hidden", "0"],
            "Error: --hidden: layer widths must be at least 1",
        ),
    ]);
}

#[test]
fn compare_refuses_bad_settings_by_flag_or_file() {
    let dir = crate::TempDir::new();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let a = write("a.toml", "name = \"same\"\nlr = 1e-3\n");
    let b = write("b.toml", "name = \"same\"\nlr = 1e-2\n");
    let zero = write("zero.toml", "lr = 1e-3\nepochs = 0\n");
    let typo = write("typo.toml", "lr = 1e-3\nepoch = 3\n");
    let momentum = write(
        "momentum.toml",
        "optimizer = \"adam\"\nlr = 1e-3\nmomentum = 0.9\n",
    );
    let result = write("lr_find.json", "{\"chosen\": {\"lr\": null}}");
    let dup = format!("Error: --config: {b}: the setting 'same' is listed twice");
    let zero_msg = format!("Error: --config: {zero}: must be at least 1");
    let typo_msg = format!("Error: --config: {typo}: unknown field `epoch`");
    let momentum_msg =
        format!("Error: --config: {momentum}: --momentum: applies to --optimizer sgd only");
    let result_msg = format!("Error: --lr-from: {result}: has no chosen.lr");
    refuse_all(&[
        (
            &["compare", "--epochs", "0"],
            "Error: --epochs: must be at least 1",
        ),
        (
            &["compare", "--epochs", "200000"],
            "Error: --epochs: must be at most 100000 (one record per epoch is kept and drawn)",
        ),
        (
            &["compare", "--lr", "0"],
            "Error: --lr: expects 'auto' or a positive number, got '0'",
        ),
        (
            &["compare", "--setting", "cosine(bogus=1)"],
            "Error: --setting: ",
        ),
        (
            &["compare", "--setting", "constant", "--setting", "constant"],
            "Error: --setting: the setting 'constant' is listed twice",
        ),
        (&["compare", "--config", &a, "--config", &b], &dup),
        (&["compare", "--config", &zero], &zero_msg),
        (&["compare", "--config", &typo], &typo_msg),
        (&["compare", "--config", &momentum], &momentum_msg),
        (&["compare", "--lr-from", &result], &result_msg),
        (
            &["compare", "--targets", "1.5"],
            "Error: --targets: accuracy levels must be in (0, 1], got 1.5",
        ),
        (
            &["compare", "--targets", "NaN"],
            "Error: --targets: levels must be positive numbers, got NaN",
        ),
        (
            &["compare", "--lr", "1e-3", "--split", "1,0"],
            "Error: --split: compare needs a validation part",
        ),
    ]);
}

#[test]
fn schedule_refuses_bad_lengths_and_specs() {
    refuse_all(&[
        (
            &["schedule", "--steps", "100000000000", "onecycle"],
            "Error: --steps: must be at most 1000000 (one value per step is kept and drawn)",
        ),
        (
            &["schedule", "--steps", "0", "onecycle"],
            "Error: --steps: must be at least 1",
        ),
        (
            &[
                "schedule",
                "--steps",
                "100",
                "--steps-per-epoch",
                "0",
                "onecycle",
            ],
            "Error: --steps-per-epoch: must be at least 1",
        ),
        (
            &["schedule", "--steps", "100", "--lr=-1", "onecycle"],
            "Error: --lr: must be positive, got -1",
        ),
        (
            &["schedule", "--steps", "100", "step(size=3)"],
            "Error: schedule: 'step(size=3)': unknown field",
        ),
        (
            &["schedule", "--steps", "100", "bogus"],
            "Error: schedule: ",
        ),
    ]);
}

#[test]
fn sweep_refuses_bad_grids_by_flag() {
    refuse_all(&[
        (
            &["sweep", "--epochs", "0"],
            "Error: --epochs: must be at least 1",
        ),
        (
            &["sweep", "--epochs", "1000000"],
            "Error: --epochs: must be at most 100000",
        ),
        (
            &["sweep", "--lrs", "1e-3,1e-3"],
            "Error: --lrs: a learning rate is listed twice",
        ),
        (&["sweep", "--lrs", "fast"], "Error: --lrs: "),
        (
            &["sweep", "--lr-range", "1:0.1"],
            "Error: --lr-range: needs 0 < LOW < HIGH, got '1:0.1'",
        ),
        (
            &["sweep", "--lr-range", "1e-9:1e9", "--per-decade", "1000"],
            "Error: --per-decade: the grid would have 18001 LRs; at most 10,000",
        ),
        (
            &["sweep", "--shard", "2/2"],
            "Error: --shard: needs 0 <= I < N, got '2/2'",
        ),
        (
            &["sweep", "--threshold", "1"],
            "Error: --threshold: must be in (0, 1), got 1",
        ),
        (
            &["sweep", "--pos-proportion", "2"],
            "Error: --pos-proportion: expected as_is",
        ),
        (
            &["sweep", "--batch-sizes", "32,32"],
            "Error: --batch-sizes: 32 is listed twice",
        ),
        (
            &[
                "sweep",
                "--data",
                "assets/iris.csv",
                "--batch-sizes",
                "64,200,300",
            ],
            "Error: --batch-sizes: 200, 300 all reach the training part's 120 rows of 'assets/iris.csv'",
        ),
        (
            &[
                "sweep",
                "--data",
                "assets/iris.csv",
                "--batch-sizes",
                "120,200",
            ],
            "Error: --batch-sizes: 120, 200 all reach the training part's 120 rows",
        ),
        (
            &["sweep", "--optimizers", "adam,sgd,adam"],
            "Error: --optimizers: adam is listed twice",
        ),
        (
            &["sweep", "--standardize", "on,on"],
            "Error: --standardize: on is listed twice",
        ),
    ]);
}

#[test]
fn evaluate_refuses_bad_budgets_and_grids() {
    refuse_all(&[
        (
            &["evaluate", "--seeds", "5000"],
            "Error: --seeds: must be at most 1000 (each seed trains the whole grid)",
        ),
        (
            &["evaluate", "--seeds", "0"],
            "Error: --seeds: must be at least 1",
        ),
        (
            &["evaluate", "--epochs", "0"],
            "Error: --epochs: must be at least 1",
        ),
        (
            &["evaluate", "--epochs", "3", "--epochs-list", "1,5"],
            "Error: --epochs-list: give the training length once",
        ),
        (
            &["evaluate", "--epochs-list", "5,1"],
            "Error: --epochs-list: lists each training length once, in increasing order",
        ),
        (
            &["evaluate", "--epochs-list", "1,200000"],
            "Error: --epochs-list: must be at most 100000",
        ),
        (
            &["evaluate", "--iters-list", "10,100"],
            "Error: --iters-list: each range-test length must be between 20 and 1000000",
        ),
        (
            &["evaluate", "--refine", "1000"],
            "Error: --refine: must be at most 100 (each refined LR is a whole training per seed)",
        ),
        (
            &["evaluate", "--arms", "prodigy", "--targets", "1.5"],
            "Error: --targets: accuracy levels must be in (0, 1], got 1.5",
        ),
        (
            &["evaluate", "--arms", "prodigy,prodigy"],
            "Error: --arms: 'prodigy' is listed twice",
        ),
        (
            &["evaluate", "--grid-range", "1:2", "--per-decade", "1"],
            "Error: --grid-range: the grid needs at least two LRs",
        ),
    ]);
}

/// Mistyped flags and values are clap's: exit 2, the first line names the flag, no output.
#[test]
fn usage_errors_exit_2_naming_the_flag() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["suggest", "--iters", "many"], "'--iters <ITERS>'"),
        (&["compare", "--epohcs", "3"], "'--epohcs'"),
        (
            &["sweep", "--optimizers", "rmsprop"],
            "'--optimizers <OPTIMIZERS>'",
        ),
        (&["evaluate", "--seeds", "-1"], "'-1'"),
        (&["schedule", "onecycle"], "--steps <STEPS>"),
        (
            &["compare", "--logs", "a=x.csv", "--setting", "constant"],
            "'--logs <NAME=PATH>' cannot be used with '--setting <SETTINGS>'",
        ),
        (&["compare", "--metric", "loss=x"], "--logs <NAME=PATH>"),
    ];
    for (args, needle) in cases {
        let mut all = args.to_vec();
        all.extend(["--out", o]);
        let run = crate::lrfind(&all);
        let err = crate::stderr(&run);
        assert_eq!(run.status.code(), Some(2), "{all:?}: {err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error: ") && err.contains(needle),
            "{all:?}: expected '{needle}' in {err}"
        );
        assert!(!err.contains("panicked"), "{all:?}: {err}");
        assert!(crate::files_in(&out).is_empty(), "{all:?}");
    }
}

#[test]
fn duplicate_columns_and_missing_inputs_are_named() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let dup = dir.path().join("dup.csv");
    std::fs::write(&dup, "a,label,a\n1,0,2\n2,1,3\n3,0,4\n").unwrap();
    let missing = dir.path().join("missing");
    let (dup, missing) = (dup.to_str().unwrap(), missing.to_str().unwrap());
    let toml = format!("{missing}.toml");
    let json = format!("{missing}.json");
    let bogus = dir.path().join("bogus.toml");
    std::fs::write(
        &bogus,
        "name = \"x\"\nlr = 1e-3\nschedule = [{ name = \"bogus\" }]\n",
    )
    .unwrap();
    let bogus = bogus.to_str().unwrap();
    let cases: &[(Vec<&str>, String)] = &[
        (
            vec!["compare", "--config", bogus],
            format!(
                "Error: --config: {bogus}: schedule: unknown variant `bogus`, expected one of `constant`"
            ),
        ),
        (
            vec!["suggest", "--data", dup],
            format!(
                "Error: {dup}: not a valid CSV file: column 'a' appears twice in the header (columns 1 and 3)"
            ),
        ),
        (
            vec!["compare", "--config", &toml],
            format!("Error: {toml}: cannot read settings file (--config): "),
        ),
        (
            vec!["compare", "--lr-from", &json],
            format!("Error: {json}: cannot read range-test result (--lr-from): "),
        ),
    ];
    for (args, needle) in cases {
        let mut all = args.clone();
        all.extend(["--out", o]);
        assert_rejected(&all, &out, needle);
    }
}

#[test]
fn plot_and_merge_name_what_is_wrong() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let nan = write(
        "nan.csv",
        "iteration,lr,loss,smoothed_loss\n0,0.001,NaN,NaN\n1,0.01,NaN,NaN\n",
    );
    let neg = write(
        "neg.csv",
        "iteration,lr,loss,smoothed_loss\n0,-0.001,1,1\n1,0.01,2,2\n",
    );
    let json = write("lr_find.json", "{\"a\": 1}\n");
    let ragged = write("ragged.csv", "a,b\n1,2\n2,3,4\n");
    let cases = [
        (
            nan.clone(),
            "column 'loss': fewer than two finite values, nothing to draw".to_string(),
        ),
        (
            neg.clone(),
            "column 'lr': every learning rate must be a positive number".into(),
        ),
        (
            json.clone(),
            "not a valid table file: this is a JSON file; lrfind plot redraws the saved tables"
                .into(),
        ),
        (
            ragged.clone(),
            "not a valid CSV file: a row has more fields than the header".into(),
        ),
    ];
    for (file, needle) in &cases {
        assert_rejected(
            &["plot", file, "--out", o],
            &out,
            &format!("Error: {file}: {needle}"),
        );
    }
    let missing = dir.path().join("missing.csv");
    let missing = missing.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["plot", missing],
            format!("Error: {missing}: cannot read"),
        ),
        (
            vec!["plot", &neg, "--smooth", "1"],
            "Error: --smooth: must be in [0, 1)".into(),
        ),
        (
            vec!["plot", &neg, "--name", "a/b"],
            "Error: --name: must be a plain file name".into(),
        ),
        (
            vec!["plot", &neg, "--size", "10x10"],
            "Error: --size: width and height must be 100 to 10000 pixels".into(),
        ),
        (
            vec!["plot", &neg, "--labels", "a,b"],
            "Error: --labels: 2 labels for 1 files".into(),
        ),
    ] {
        let mut all = args.clone();
        all.extend(["--out", o]);
        assert_rejected(&all, &out, &needle);
    }
    // Two shards of different sweeps: merge names both files.
    let part = |shard: usize, epochs: &str| {
        let d = dir.path().join(format!("part{shard}"));
        let shard_arg = format!("{shard}/2");
        crate::lrfind_ok(&[
            "sweep",
            "-q",
            "--data",
            "breast_cancer",
            "--lrs",
            "1e-3,1e-2",
            "--epochs",
            epochs,
            "--shard",
            &shard_arg,
            "--out",
            d.to_str().unwrap(),
        ]);
        d.join(format!("sweep-part-{shard}-of-2.json"))
    };
    let (a, b) = (part(0, "1"), part(1, "2"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    assert_rejected(
        &["merge", a, b, "--out", o],
        &out,
        &format!("Error: merge: {a} and {b} come from different sweeps"),
    );
    // One shard of two; a part marked incomplete; not a part; no parts in a folder.
    assert_rejected(
        &["merge", a, "--out", o],
        &out,
        "Error: merge: shard 1/2 is missing",
    );
    let mut doc = crate::read_json(std::path::Path::new(a));
    doc["incomplete"] = true.into();
    let cut = write("sweep-part-0-of-2.json", &doc.to_string());
    assert_rejected(
        &["merge", &cut, "--out", o],
        &out,
        &format!("Error: {cut}: cannot read sweep part: it is incomplete"),
    );
    assert_rejected(
        &["merge", &json, "--out", o],
        &out,
        &format!("Error: {json}: not a valid JSON file: "),
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let empty = empty.to_str().unwrap();
    assert_rejected(
        &["merge", empty, "--out", o],
        &out,
        &format!(
            "Error: {empty}: cannot read folder of sweep parts: it holds no sweep-part-*.json file"
        ),
    );
}

#[test]
fn compare_logs_names_the_log_or_flag_at_fault() {
    let dir = crate::TempDir::new();
    let write = |name: &str, text: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let losses = write("losses.csv", b"epoch,loss\n0,2.0\n1,1.0\n");
    let accuracy = write("acc.csv", b"epoch,val_accuracy\n0,0.5\n1,0.7\n");
    let no_epoch = write("no_epoch.csv", b"step,loss\n1,2.0\n2,1.0\n");
    let unknown = write("unknown.csv", b"epoch,f1\n1,0.5\n2,0.6\n");
    let not_hf = write("state.json", b"{\"global_step\": 3}");
    let fractional = write("frac.csv", b"epoch,loss\n0.5,2.0\n1,1.0\n");
    // A real TensorBoard file with one byte changed in its first record's payload.
    let events = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "tests/fixtures/logs/lightning/tb/new/version_0/events.out.tfevents.1796234565.vm.9826.0",
    ))
    .unwrap();
    let mut broken = events.clone();
    broken[14] ^= 0x55;
    let broken = write("events.out.tfevents.broken", &broken);
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let empty = empty.display().to_string();
    let missing = dir.path().join("missing.csv").display().to_string();
    let arg = |n: &str, p: &str| format!("{n}={p}");
    let (l, a, m) = (arg("a", &losses), arg("b", &accuracy), arg("m", &missing));
    let (ne, un, nh) = (arg("a", &no_epoch), arg("a", &unknown), arg("a", &not_hf));
    let (fr, br, em) = (arg("a", &fractional), arg("a", &broken), arg("a", &empty));
    refuse_all(&[
        (
            &["compare", "--logs", "nope"],
            "Error: --logs: expected NAME=PATH, got 'nope'",
        ),
        (
            &["compare", "--logs", &m],
            "cannot read training log (--logs)",
        ),
        (
            &["compare", "--logs", &em],
            "no training log in this folder",
        ),
        (
            &["compare", "--logs", &l, "--logs", &l],
            "Error: --logs: the name 'a' is given twice",
        ),
        (
            &["compare", "--logs", &l, "--logs", &a],
            "Error: --logs: the logs have no loss or accuracy in common",
        ),
        (
            &["compare", "--logs", &ne],
            "not a training log: no 'epoch' column",
        ),
        (
            &["compare", "--logs", &un],
            "no metric is a loss, accuracy or LR (metrics: f1)",
        ),
        (&["compare", "--logs", &nh], "no 'log_history' list"),
        (
            &["compare", "--logs", &fr],
            "an epoch must be a whole number, got 0.5",
        ),
        (
            &["compare", "--logs", &br],
            "record 1 has a bad data checksum",
        ),
        (
            &["compare", "--logs", &l, "--metric", "speed=x"],
            "Error: --metric: unknown role 'speed'",
        ),
        (
            &["compare", "--logs", &l, "--metric", "val_loss=nope"],
            "Error: --metric: no log has a metric named 'nope'",
        ),
        (
            &["compare", "--logs", &l, "--targets", "2"],
            "Error: --targets: accuracy levels must be in (0, 1]",
        ),
    ]);
}
