//! Limits and duplicates refused by name, across commands: each case exits 1 with one line
//! naming the flag and leaves no output folder behind.

use crate::assert_rejected;

#[test]
fn limits_and_duplicates_are_refused_by_name() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["suggest", "--iters", "2000000"],
            "Error: --iters: must be at most 1000000",
        ),
        (
            &["suggest", "--threads", "5000"],
            "Error: --threads: must be at most 1024",
        ),
        (
            &["suggest", "--repeats", "5000"],
            "Error: --repeats: must be at most 1000",
        ),
        (
            &["evaluate", "--seeds", "5000"],
            "Error: --seeds: must be at most 1000",
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
            &["evaluate", "--iters-list", "10,100"],
            "Error: --iters-list: each range-test length must be between 20 and 1000000",
        ),
        (
            &["schedule", "--steps", "100000000000", "onecycle"],
            "Error: --steps: must be at most 1000000",
        ),
        (
            &["schedule", "--steps", "100", "step(size=3)"],
            "Error: schedule: 'step(size=3)': unknown field",
        ),
        (
            &["compare", "--targets", "1.5"],
            "Error: --targets: accuracy levels must be in (0, 1], got 1.5",
        ),
        (
            &["compare", "--targets", "NaN"],
            "Error: --targets: levels must be positive numbers, got NaN",
        ),
        (
            &["compare", "--setting", "constant", "--setting", "constant"],
            "Error: --setting: the setting 'constant' is listed twice",
        ),
        (
            &["sweep", "--batch-sizes", "32,32"],
            "Error: --batch-sizes: 32 is listed twice",
        ),
        (
            &["sweep", "--optimizers", "adam,sgd,adam"],
            "Error: --optimizers: adam is listed twice",
        ),
        (
            &["sweep", "--standardize", "on,on"],
            "Error: --standardize: on is listed twice",
        ),
    ];
    for (args, needle) in cases {
        let mut all = args.to_vec();
        all.extend(["--out", o]);
        assert_rejected(&all, &out, needle);
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
}
