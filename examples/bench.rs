//! Benchmark (not run in CI): milliseconds per range-test iteration of the digits MLP
//! (64-128-10, AdamW, batch 64) on each CPU backend, against a bare Burn training step on
//! the same model, optimizer and batches, and the end-to-end time of the default
//! `lrfind suggest` pipeline.
//!
//! ```text
//! cargo run --release --example bench [-- --threads N --repeats R]
//! ```

use std::time::Instant;

use burn::optim::GradientsParams;
use lrfind::config::{Backend, SuggestConfig};
use lrfind::data::{Batch, Batcher};
use lrfind::finder::{self, Hooks};
use lrfind::model::{Head, Mlp};
use lrfind::{pipeline, train};

fn arg(name: &str) -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if let Some(n) = arg("--threads") {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .unwrap();
    }
    let repeats = arg("--repeats").unwrap_or(5);
    let iters = 300;
    let backends: Vec<Backend> = vec![
        Backend::Flex,
        Backend::Ndarray,
        #[cfg(feature = "wgpu")]
        Backend::Wgpu,
    ];
    println!("digits MLP 64-128-10, AdamW, batch 64, {iters} iterations, median of {repeats} runs");
    println!(
        "{:<8} {:>16} {:>18} {:>10}",
        "backend", "bare step ms/it", "range test ms/it", "overhead"
    );
    for backend in backends {
        let mut config = SuggestConfig {
            backend,
            ..Default::default()
        };
        config.range_test.diverge = 0.0; // run every iteration
        config.range_test.end_lr = 1e-2; // stay finite
        let data = pipeline::load_data(&config).unwrap();
        let head = Head::for_task(&data.table.task, config.model.binary_head);
        let (mut bare, mut test) = (Vec::new(), Vec::new());
        for _ in 0..repeats {
            // (a) a bare Burn loop: forward, loss, backward, optimizer step, over the same batches.
            let device = pipeline::device(backend);
            device.seed(0);
            let mut model = Mlp::new(64, &config.model, head, &device);
            let mut optim = train::optimizer(&config.optimizer);
            let batches: Vec<Batch> =
                Batcher::new(&data, data.train(), 64, head.targets(), &device, 0)
                    .take(iters)
                    .collect();
            let t = Instant::now();
            for b in &batches {
                let loss = head.loss(model.forward(b.inputs.clone()), b);
                let grads = GradientsParams::from_grads(loss.backward(), &model);
                model = optim.step(1e-3, model, grads);
            }
            let _ = model.forward(batches[0].inputs.clone()).into_data();
            bare.push(t.elapsed().as_secs_f64() * 1e3 / iters as f64);

            // (b) the range test through the library, same model, optimizer and batches.
            device.seed(0);
            let model = Mlp::new(64, &config.model, head, &device);
            let r = finder::range_test(
                &model,
                train::optimizer(&config.optimizer),
                batches.iter().cloned(),
                |m: &Mlp, b: &Batch| head.loss(m.forward(b.inputs.clone()), b),
                &config.range_test,
                Hooks::default(),
            )
            .unwrap();
            test.push(r.train_time.as_secs_f64() * 1e3 / r.iterations() as f64);
        }
        let (b, t) = (median(bare), median(test));
        println!(
            "{:<8} {b:>16.3} {t:>18.3} {:>9.0}%",
            backend.name(),
            100.0 * (t - b) / b
        );
    }

    let mut e2e = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        let config = SuggestConfig::default();
        let data = pipeline::load_data(&config).unwrap();
        let run = pipeline::suggest(&config, &data, Hooks::default()).unwrap();
        let dir = std::env::temp_dir().join("lrfind-bench");
        std::fs::create_dir_all(&dir).unwrap();
        lrfind::report::write_atomic(
            &dir.join("lr_find.json"),
            &lrfind::report::lr_find_json(&run),
        )
        .unwrap();
        lrfind::plot::lr_find(
            &run.result,
            "bench",
            Some(&dir.join("lr_find.png")),
            Some(&dir.join("lr_find.svg")),
        )
        .unwrap();
        e2e.push(t.elapsed().as_secs_f64());
    }
    println!(
        "default `lrfind suggest` pipeline (load, 300-iteration test, JSON, PNG, SVG): {:.2} s",
        median(e2e)
    );
}
