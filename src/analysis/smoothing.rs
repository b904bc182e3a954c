//! Loss smoothing for range-test curves.
//!
//! The anchors' smoothers are exponential moving averages; they differ in how they start:
//! fastai divides by `1 - beta^k` so the first points are not pulled towards zero,
//! torch-lr-finder starts from the first loss. A non-finite loss propagates: every
//! smoothed value from it onwards is NaN (the curve has diverged there). An EMA lags: with
//! fastai's 0.98 it trails the raw loss by about 49 iterations, 1.3 decades of LR in a
//! 300-iteration test. lrfind's `knee` reads [`log_lr_kernel`] instead, which is centered.

/// fastai's bias-corrected EMA: `v_k = beta v_(k-1) + (1 - beta) x_k`,
/// `s_k = v_k / (1 - beta^k)` (k counted from 1). `beta` in `[0, 1)`; 0.98 is fastai's.
pub fn ema_debiased(losses: &[f64], beta: f64) -> Vec<f64> {
    let mut ema = DebiasedEma::new(beta);
    losses.iter().map(|&x| ema.push(x)).collect()
}

/// fastai's bias-corrected EMA, one value at a time (what the range test runs live).
#[derive(Debug, Clone)]
pub struct DebiasedEma {
    beta: f64,
    avg: f64,
    power: f64,
}

impl DebiasedEma {
    /// An empty average with factor `beta`.
    pub fn new(beta: f64) -> Self {
        Self {
            beta,
            avg: 0.0,
            power: 1.0,
        }
    }

    /// Adds a value and returns the smoothed value so far.
    pub fn push(&mut self, x: f64) -> f64 {
        self.avg = self.beta * self.avg + (1.0 - self.beta) * x;
        self.power *= self.beta;
        self.avg / (1.0 - self.power)
    }
}

/// Lightning's EMA (`Tuner.lr_find`, 2.5 and 2.6): fastai's average, but debiased with
/// `1 - beta^(k + 1)` (its step counter is already 1 after the first step), so its first
/// point is about half the first loss. Checked against `tests/fixtures/lightning/`.
pub fn ema_lightning(losses: &[f64], beta: f64) -> Vec<f64> {
    let mut avg = 0.0;
    let mut power = beta;
    losses
        .iter()
        .map(|&x| {
            avg = beta * avg + (1.0 - beta) * x;
            power *= beta;
            avg / (1.0 - power)
        })
        .collect()
}

/// torch-lr-finder's EMA: `s_0 = x_0`, `s_k = f x_k + (1 - f) s_(k-1)` with
/// smoothing factor `f` (0.05 in torch-lr-finder).
pub fn ema_torch(losses: &[f64], factor: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(losses.len());
    for (k, &x) in losses.iter().enumerate() {
        let s = if k == 0 {
            x
        } else {
            factor * x + (1.0 - factor) * out[k - 1]
        };
        out.push(s);
    }
    out
}

/// Gaussian kernel smoothing against log10 of the LR: each point becomes the weighted mean
/// of the points within three `sigma_decades` of it, weights `exp(-d^2 / 2 sigma^2)` for a
/// distance of `d` decades. Centered, so it does not lag like an EMA, and its width is a
/// fixed span of LRs whatever the number of iterations. `lrs` must be positive and
/// increasing; `values` finite.
pub fn log_lr_kernel(lrs: &[f64], values: &[f64], sigma_decades: f64) -> Vec<f64> {
    let x: Vec<f64> = lrs.iter().map(|lr| lr.log10()).collect();
    let reach = 3.0 * sigma_decades;
    let mut lo = 0;
    let mut out = Vec::with_capacity(x.len());
    for (i, &xi) in x.iter().enumerate() {
        while x[lo] < xi - reach {
            lo += 1;
        }
        let (mut weight, mut sum) = (0.0, 0.0);
        for (xj, v) in x[lo..].iter().zip(&values[lo..]) {
            if *xj > xi + reach {
                break;
            }
            let d = (xj - xi) / sigma_decades;
            let w = (-0.5 * d * d).exp();
            weight += w;
            sum += w * v;
        }
        debug_assert!(weight > 0.0, "point {i} is in its own window");
        out.push(sum / weight);
    }
    out
}

/// The variance of [`log_lr_kernel`]'s point `i` as a fraction of the variance of one raw
/// value, when the raw values carry independent noise: the sum of the squared weights over
/// the squared sum of the weights (1 / the number of points it effectively averages).
pub fn log_lr_kernel_variance(lrs: &[f64], i: usize, sigma_decades: f64) -> f64 {
    let xi = lrs[i].log10();
    let (mut weight, mut squares) = (0.0, 0.0);
    for lr in lrs {
        let d = (lr.log10() - xi) / sigma_decades;
        if d.abs() <= 3.0 {
            let w = (-0.5 * d * d).exp();
            weight += w;
            squares += w * w;
        }
    }
    squares / (weight * weight)
}

/// Median of an already sorted, non-empty slice.
pub(crate) fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
    }
}

/// Median of a non-empty slice.
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    median_sorted(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debiased_ema_of_a_constant_is_the_constant() {
        let s = ema_debiased(&[2.0; 10], 0.98);
        assert!(s.iter().all(|v| (v - 2.0).abs() < 1e-12));
    }

    #[test]
    fn torch_ema_starts_at_first_value() {
        let s = ema_torch(&[1.0, 3.0], 0.05);
        assert_eq!(s[0], 1.0);
        assert!((s[1] - (0.05 * 3.0 + 0.95)).abs() < 1e-15);
    }

    #[test]
    fn the_kernel_variance_is_one_over_the_points_it_averages() {
        // 37.5 points per decade and 0.2 decades: 7.5 points per standard deviation, so an
        // interior point averages 2 sqrt(pi) 7.5 = 26.6 points and an end point about half as
        // many.
        let lrs: Vec<f64> = (0..300)
            .map(|i| 1e-7 * 10f64.powf(i as f64 / 37.5))
            .collect();
        let interior = log_lr_kernel_variance(&lrs, 150, 0.2);
        let expected = 1.0 / (2.0 * std::f64::consts::PI.sqrt() * 7.5);
        assert!(
            (interior / expected - 1.0).abs() < 0.01,
            "{interior} vs {expected}"
        );
        let end = log_lr_kernel_variance(&lrs, 0, 0.2);
        assert!((end / interior - 2.0).abs() < 0.1, "{end} vs {interior}");
        // One point alone in its window: no averaging.
        assert_eq!(log_lr_kernel_variance(&[1e-3, 1.0], 0, 0.2), 1.0);
    }

    #[test]
    fn log_lr_kernel_keeps_a_line_in_log_lr_and_averages_noise() {
        // 24 points per decade: the 3-sigma edge (0.6 decades) falls between points.
        let lrs: Vec<f64> = (0..200)
            .map(|i| 1e-6 * 10f64.powf(i as f64 / 24.0))
            .collect();
        // A straight line in log10(LR) stays put away from the ends (symmetric weights).
        let line: Vec<f64> = lrs.iter().map(|lr| 2.0 - 0.1 * lr.log10()).collect();
        let s = log_lr_kernel(&lrs, &line, 0.2);
        for i in 20..180 {
            assert!(
                (s[i] - line[i]).abs() < 1e-9,
                "{i}: {} vs {}",
                s[i],
                line[i]
            );
        }
        // Alternating noise around 1 is averaged out.
        let zigzag: Vec<f64> = (0..200)
            .map(|i| if i % 2 == 0 { 0.5 } else { 1.5 })
            .collect();
        let s = log_lr_kernel(&lrs, &zigzag, 0.2);
        assert!(s[20..180].iter().all(|v| (v - 1.0).abs() < 0.02));
    }
}
