//! Schedule values at chosen steps against hand-computed numbers.

use super::*;

const TL: Timeline = Timeline {
    total_steps: 100,
    steps_per_epoch: 10,
};

fn f(spec: &str, step: usize) -> f64 {
    parse(spec).unwrap().factor(step, &TL)
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

#[test]
fn constant_exp_power_step() {
    close(f("constant", 57), 1.0);
    close(f("exp(gamma=0.96,per=epoch)", 25), 0.96f64.powi(2)); // 2 epochs completed
    close(f("exp(gamma=0.1,every=50)", 25), 0.1f64.powf(0.5));
    close(f("power(every=10,power=2)", 30), 1.0 / 16.0);
    close(f("step(gamma=0.5,every=3,per=epoch)", 65), 0.25); // epoch 6: two boundaries passed
}

#[test]
fn piecewise_linear_cosine() {
    let p = "piecewise(boundaries=[20,50],factors=[1,0.5,0.1])";
    close(f(p, 19), 1.0);
    close(f(p, 20), 0.5);
    close(f(p, 99), 0.1);
    close(f("linear(end_factor=0.2)", 50), 0.6);
    close(f("cosine", 50), 0.5);
    close(f("cosine(min_factor=0.1)", 100), 0.1);
    // Warm restarts: periods 20, 40 (mult 2): step 30 is a quarter into the second period.
    close(
        f("cosine(restart=20,mult=2)", 30),
        0.5 * (1.0 + (PI * 0.25).cos()),
    );
    close(f("cosine(restart=20,mult=2)", 20), 1.0);
}

#[test]
fn onecycle_boundaries() {
    // fastai form: 1/25 at the start, 1 at pct_start, 1/(25e4) at the end.
    close(f("onecycle", 0), 1.0 / 25.0);
    close(f("onecycle", 25), 1.0);
    close(f("onecycle", 100), 1.0 / 25e4);
    close(
        f("onecycle", 12),
        1.0 / 25.0 + (1.0 - 1.0 / 25.0) * 0.5 * (1.0 - (PI * 12.0 / 25.0).cos()),
    );
    // Smith's three phases with pct_start 0.3: up to 1 at 30, back to 1/div at 60, then down.
    let s = "onecycle(kind=linear,pct_start=0.3,div=10,final_div=100)";
    close(f(s, 15), 0.1 + 0.9 * 0.5);
    close(f(s, 30), 1.0);
    close(f(s, 60), 0.1);
    close(f(s, 80), 0.1 + (0.001 - 0.1) * 0.5);
}

#[test]
fn warmup_then_the_chained_schedule_starts_at_zero() {
    let s = "warmup(epochs=3)+exp(gamma=0.5,per=epoch)";
    close(f(s, 0), 0.0);
    close(f(s, 15), 0.5);
    close(f(s, 30), 1.0); // exp starts its own count: epoch 0 of the decay
    close(f(s, 40), 0.5);
    close(f("warmup(steps=10,start_factor=0.1)+cosine", 5), 0.55);
    close(f("warmup(steps=10)+cosine", 55), 0.5); // cosine over the remaining 90 steps
}

#[test]
fn plateau_reduces_after_patience_and_waits_for_cooldown() {
    let mut p = Plateau::new(PlateauConfig {
        factor: 0.5,
        patience: 2,
        cooldown: 1,
        ..Default::default()
    });
    let losses = [1.0, 0.9, 0.95, 0.92, 0.91, 0.93, 0.94, 0.95, 0.96, 0.5];
    let mults: Vec<f64> = losses.iter().map(|&l| p.observe(l)).collect();
    // Bad epochs after 0.9: 3 at the 4th bad → reduce at index 4 (0.91 is worse than 0.9).
    assert_eq!(
        mults,
        vec![1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]
    );
    assert_eq!(p.apply(0.1), 0.025);
}

#[test]
fn text_and_toml_forms_agree_and_errors_name_the_problem() {
    let text =
        parse("warmup(epochs=3)+exp(gamma=0.96,per=epoch)+plateau(patience=3,cooldown=2)").unwrap();
    let toml_text = r#"
        schedule = [
          { name = "warmup", epochs = 3 },
          { name = "exp", gamma = 0.96, per = "epoch" },
          { name = "plateau", patience = 3, cooldown = 2 },
        ]"#;
    #[derive(serde::Deserialize)]
    struct Doc {
        schedule: Chain,
    }
    let doc: Doc = toml::from_str(toml_text).unwrap();
    assert_eq!(text, doc.schedule);
    assert_eq!(parse(&text.to_text()).unwrap(), text, "to_text round-trips");

    let err = |s: &str| parse(s).unwrap_err().to_string();
    assert!(err("expo(gamma=0.9)").contains("unknown schedule 'expo'"));
    assert!(err("exp(gama=0.9)").contains("unknown field `gama`"));
    assert!(err("exp(gamma=1.5)").contains("gamma must be in (0, 1]"));
    assert!(err("plateau(patience=3,colldown=2)").contains("colldown"));
    assert!(err("exp(gamma=0.9)+warmup(steps=3)").contains("out of place"));
    assert!(err("warmup(steps=3,epochs=1)").contains("exactly one"));
}

#[test]
fn burn_scheduler_steps_and_round_trips_its_record() {
    use burn::lr_scheduler::LrScheduler;
    let chain = parse("warmup(steps=10)+cosine").unwrap();
    let mut s = ChainScheduler::new(chain.clone(), 0.1, TL);
    let first: Vec<f64> = (0..5).map(|_| s.step()).collect();
    close(first[4], 0.1 * 0.4);
    let record = s.to_record();
    let mut restored = ChainScheduler::new(chain, 0.1, TL);
    restored.load_record(record);
    assert_eq!(restored.steps(), 5);
    for _ in 0..50 {
        close(s.step(), restored.step());
    }
}
