//! Benchmark (not run in CI): milliseconds per range-test iteration against a bare Burn
//! training step on the same model, optimizer and batches, on each backend built in, for
//! the digits MLP (64-128-10, batch 64) and two large MLPs on random 784-feature inputs
//! (784-1024-10 and 784-1024-1024-10, batch 256); and the end-to-end time of the default
//! `lrfind suggest` pipeline; and the matrix products of a large-MLP step timed alone, to
//! show how much of a step is Burn's GEMM kernel.
//!
//! ```text
//! cargo run --release --example bench [-- --threads N --repeats R --large-iters K]
//! ```

use std::time::Instant;

use burn::optim::GradientsParams;
use lrfind::config::{Backend, SuggestConfig};
use lrfind::data::{Batch, Batcher, Targets};
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

/// Makes the batches of a benchmark case on a device.
type MakeBatches<'a> = &'a dyn Fn(&burn::tensor::Device) -> Vec<Batch>;

/// Median ms per iteration of (a) a bare Burn loop and (b) the range test, on the same
/// model, optimizer and batches.
fn measure(
    backend: Backend,
    config: &SuggestConfig,
    inputs: usize,
    head: Head,
    make_batches: MakeBatches,
    repeats: usize,
) -> (f64, f64) {
    let (mut bare, mut test) = (Vec::new(), Vec::new());
    for _ in 0..repeats {
        // (a) a bare Burn loop: forward, loss, backward, optimizer step, over the same batches.
        let device = pipeline::device(backend);
        device.seed(0);
        let mut model = Mlp::new(inputs, &config.model, head, &device);
        let mut optim = train::optimizer(&config.optimizer);
        let batches = make_batches(&device);
        let iters = batches.len();
        let t = Instant::now();
        for b in &batches {
            let loss = head.loss(model.forward(b), b);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(1e-3, model, grads);
        }
        let _ = model.forward(&batches[0]).into_data();
        bare.push(t.elapsed().as_secs_f64() * 1e3 / iters as f64);

        // (b) the range test through the library, same model, optimizer and batches.
        device.seed(0);
        let model = Mlp::new(inputs, &config.model, head, &device);
        let mut rt = config.range_test.clone();
        rt.iters = iters;
        let r = finder::range_test(
            &model,
            train::optimizer(&config.optimizer),
            batches.iter().cloned(),
            |m: &Mlp, b: &Batch| head.loss(m.forward(b), b),
            &rt,
            Hooks::default(),
        )
        .unwrap();
        test.push(r.train_time.as_secs_f64() * 1e3 / r.iterations() as f64);
    }
    (median(bare), median(test))
}

/// Milliseconds and GFLOP/s of the matrix products one training step of an MLP needs
/// (`widths` = input, hidden..., output; batch `batch`): per layer the forward product and
/// the weight gradient, and the input gradient for every layer but the first. Timed alone,
/// outside autodiff, so the rest of a step is what Burn adds around its GEMM kernel.
fn gemm_only(backend: Backend, widths: &[usize], batch: usize, repeats: usize) -> (f64, f64) {
    use burn::tensor::{Distribution, Tensor};
    let device = pipeline::device(backend);
    let rand = |r: usize, c: usize| Tensor::<2>::random([r, c], Distribution::Default, &device);
    let mut products = Vec::new();
    for (l, w) in widths.windows(2).enumerate() {
        let (i, o) = (w[0], w[1]);
        products.push((rand(batch, i), rand(i, o))); // forward
        products.push((rand(i, batch), rand(batch, o))); // weight gradient
        if l > 0 {
            products.push((rand(batch, o), rand(o, i))); // input gradient
        }
    }
    let flops: f64 = products
        .iter()
        .map(|(a, b)| 2.0 * (a.dims()[0] * a.dims()[1] * b.dims()[1]) as f64)
        .sum();
    let mut times = Vec::new();
    for _ in 0..repeats.max(3) {
        let t = Instant::now();
        for _ in 0..5 {
            for (a, b) in &products {
                let _ = a.clone().matmul(b.clone()).into_data();
            }
        }
        times.push(t.elapsed().as_secs_f64() * 1e3 / 5.0);
    }
    let ms = median(times);
    (ms, flops / (ms * 1e6))
}

/// Random 784-feature inputs and 10 classes, `count` batches of `size` rows.
fn random_batches(count: usize, size: usize, device: &burn::tensor::Device) -> Vec<Batch> {
    let mut rng = lrfind::rng::Rng::new(0, 9);
    (0..count)
        .map(|_| {
            let x: Vec<f32> = (0..size * 784)
                .map(|_| (rng.below(2001) as f32 - 1000.0) / 1000.0)
                .collect();
            let y: Vec<f64> = (0..size).map(|_| rng.below(10) as f64).collect();
            Batch::new(x, &y, 784, Targets::ClassIndex, device)
        })
        .collect()
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
    let large_iters = arg("--large-iters").unwrap_or(30);
    let backends: Vec<Backend> = vec![
        Backend::Flex,
        Backend::Ndarray,
        #[cfg(feature = "wgpu")]
        Backend::Wgpu,
    ];
    println!("AdamW; median of {repeats} runs; ms per iteration");
    println!(
        "{:<28} {:<8} {:>16} {:>18} {:>10}",
        "model", "backend", "bare step ms/it", "range test ms/it", "overhead"
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
        let digits = |device: &burn::tensor::Device| -> Vec<Batch> {
            Batcher::new(&data, data.train(), 64, head.targets(), device, 0)
                .take(iters)
                .collect()
        };
        let cases: [(&str, Vec<usize>, usize, MakeBatches); 3] = [
            ("digits 64-128-10, batch 64", vec![128], 64, &digits),
            ("784-1024-10, batch 256", vec![1024], 784, &|d| {
                random_batches(large_iters, 256, d)
            }),
            ("784-1024-1024-10, batch 256", vec![1024, 1024], 784, &|d| {
                random_batches(large_iters, 256, d)
            }),
        ];
        for (name, hidden, inputs, make) in cases {
            config.model.hidden = hidden;
            let (b, t) = measure(backend, &config, inputs, Head::Classes(10), make, repeats);
            println!(
                "{name:<28} {:<8} {b:>16.3} {t:>18.3} {:>9.0}%",
                backend.name(),
                100.0 * (t - b) / b
            );
        }
    }

    println!();
    println!("matrix products of one step alone (forward, weight and input gradients), batch 256");
    println!(
        "{:<28} {:<8} {:>10} {:>10}",
        "model", "backend", "GEMM ms", "GFLOP/s"
    );
    for backend in [Backend::Flex, Backend::Ndarray] {
        for (name, widths) in [
            ("784-1024-10", vec![784, 1024, 10]),
            ("784-1024-1024-10", vec![784, 1024, 1024, 10]),
        ] {
            let (ms, gflops) = gemm_only(backend, &widths, 256, repeats);
            println!("{name:<28} {:<8} {ms:>10.2} {gflops:>10.1}", backend.name());
        }
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
