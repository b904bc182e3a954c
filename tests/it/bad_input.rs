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
    let cases: &[(Vec<&str>, String)] = &[
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
