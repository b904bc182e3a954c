//! Loss smoothing for range-test curves.
//!
//! Both smoothers are exponential moving averages; they differ in how they start:
//! fastai divides by `1 - beta^k` so the first points are not pulled towards zero,
//! torch-lr-finder starts from the first loss. A non-finite loss propagates: every
//! smoothed value from it onwards is NaN (the curve has diverged there).

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

/// Centered running median over a window of `width` points (shrinking at the ends).
pub fn running_median(values: &[f64], width: usize) -> Vec<f64> {
    centered(values, width, |w| {
        let mut v = w.to_vec();
        v.sort_by(f64::total_cmp);
        median_sorted(&v)
    })
}

/// Centered running mean over a window of `width` points (shrinking at the ends).
pub fn running_mean(values: &[f64], width: usize) -> Vec<f64> {
    centered(values, width, |w| w.iter().sum::<f64>() / w.len() as f64)
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

fn centered(values: &[f64], width: usize, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let half = width / 2;
    let n = values.len();
    (0..n)
        .map(|i| f(&values[i.saturating_sub(half)..(i + half + 1).min(n)]))
        .collect()
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
    fn running_median_removes_a_single_spike() {
        let s = running_median(&[1.0, 1.0, 9.0, 1.0, 1.0], 3);
        assert_eq!(s, vec![1.0, 1.0, 1.0, 1.0, 1.0]);
    }
}
