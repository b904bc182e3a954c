//! The suggestion rules, each a pure function of a recorded curve.
//!
//! Every rule has the same shape: it reads a [`Curve`] and returns a [`Pick`] (the LR it
//! suggests and the index of the curve point its rule used) or the reason it cannot apply.
//! The anchors' rules reproduce fastai 2.8 and torch-lr-finder 0.2 exactly, including the
//! windows they analyse and the cases where they fail; see `tests/fixtures/suggestions.json`.
//! Adding a rule is one function and one line in [`Method::apply`].

use serde::{Deserialize, Serialize};

use super::smoothing::{ema_lightning, ema_torch, log_lr_kernel, log_lr_kernel_variance, median};

/// A recorded range-test curve, as the rules see it. All slices have the same length.
#[derive(Debug, Clone, Copy)]
pub struct Curve<'a> {
    /// The LR of each iteration.
    pub lrs: &'a [f64],
    /// The raw training loss of each iteration.
    pub raw: &'a [f64],
    /// fastai's bias-corrected EMA of `raw` (what fastai's rules read).
    pub smoothed: &'a [f64],
    /// The planned number of iterations (fastai skips the first `num_it / 10` points).
    pub num_it: usize,
    /// The LR of every optimizer step the test took, in order (`knee` sums the LRs the steps
    /// used up to the point it reads). On the training curve this is `lrs` itself.
    pub step_lrs: &'a [f64],
    /// The step (index into `step_lrs`) after which each point was recorded; `None` when
    /// point `i` is step `i` (the training curve). The validation curve, read every
    /// `val_every` steps, sets it.
    pub point_steps: Option<&'a [usize]>,
    /// Optimizer steps of the training the suggestion is for (`None`: not stated).
    pub planned_steps: Option<usize>,
}

impl<'a> Curve<'a> {
    /// A training curve: one point per optimizer step, no planned training length.
    pub fn training(lrs: &'a [f64], raw: &'a [f64], smoothed: &'a [f64], num_it: usize) -> Self {
        Curve {
            lrs,
            raw,
            smoothed,
            num_it,
            step_lrs: lrs,
            point_steps: None,
            planned_steps: None,
        }
    }

    /// The same curve, for a training of `steps` optimizer steps.
    pub fn planned(self, steps: Option<usize>) -> Self {
        Curve {
            planned_steps: steps,
            ..self
        }
    }

    /// The sum of the LRs the optimizer steps used up to and including point `index`.
    pub fn summed_lr(&self, index: usize) -> f64 {
        let last = self
            .point_steps
            .and_then(|s| s.get(index).copied())
            .unwrap_or(index);
        let end = (last + 1).min(self.step_lrs.len());
        self.step_lrs[..end].iter().sum()
    }
}

/// What a rule picked: the LR it suggests and the index of the curve point it used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// The suggested LR (fastai's `minimum` returns a tenth of the curve's LR).
    pub lr: f64,
    /// Index into the full curve of the point the rule used.
    pub index: usize,
}

/// Why a rule gave no answer, in words meant for the user.
pub type RuleResult = Result<Pick, String>;

/// The suggestion rules lrfind knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// lrfind's rule: where a centered smoothing of the loss has made 85 % of its fall,
    /// expressed for the default ramp rate and the planned training length, never beyond
    /// the smoothed minimum (see [`knee`]).
    Knee,
    /// fastai's default: a point in the longest descending stretch ("valley").
    Valley,
    /// fastai's steepest slope of the smoothed loss against log LR.
    Steep,
    /// fastai's LR at the minimum smoothed loss, divided by 10.
    Minimum,
    /// fastai's interval-slide rule on the gradient of the smoothed loss.
    Slide,
    /// torch-lr-finder end to end: its own EMA (0.05) of the raw loss, then the steepest
    /// `numpy.gradient` between points 10 and len-5.
    Torch,
    /// Lightning 2.6 (`Tuner.lr_find` since 2.5.3) end to end: its own EMA (0.98) of the raw
    /// loss, then the steepest gradient against the LR from point 10 to the last but one.
    Lightning,
    /// Lightning 2.5.2 and earlier: the same, with the gradient against the point index.
    #[serde(rename = "lightning_2_5")]
    Lightning25,
}

impl Method {
    /// Every method, in the order reports list them.
    pub const ALL: [Method; 8] = [
        Method::Knee,
        Method::Valley,
        Method::Steep,
        Method::Minimum,
        Method::Slide,
        Method::Torch,
        Method::Lightning,
        Method::Lightning25,
    ];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Method::Knee => "knee",
            Method::Valley => "valley",
            Method::Steep => "steep",
            Method::Minimum => "minimum",
            Method::Slide => "slide",
            Method::Torch => "torch",
            Method::Lightning => "lightning",
            Method::Lightning25 => "lightning_2_5",
        }
    }

    /// Runs this rule on a curve.
    pub fn apply(self, curve: &Curve) -> RuleResult {
        match self {
            Method::Knee => knee(curve),
            Method::Torch => torch_steepest(curve.lrs, &ema_torch(curve.raw, 0.05)),
            Method::Lightning => lightning(curve.lrs, &ema_lightning(curve.raw, 0.98), true),
            Method::Lightning25 => lightning(curve.lrs, &ema_lightning(curve.raw, 0.98), false),
            fastai => {
                let (start, lrs, losses) = fastai_window(curve);
                let pick = match fastai {
                    Method::Valley => valley(lrs, losses),
                    Method::Steep => steep(lrs, losses),
                    Method::Minimum => minimum(lrs, losses),
                    _ => slide(lrs, losses),
                }?;
                Ok(Pick {
                    index: pick.index + start,
                    ..pick
                })
            }
        }
    }
}

/// The part of the curve fastai's `lr_find` hands its rules: `[num_it / 10 : -5]`, cut at
/// the first NaN. Returns the offset of the window and the two slices.
pub fn fastai_window<'a>(curve: &Curve<'a>) -> (usize, &'a [f64], &'a [f64]) {
    let n = curve.smoothed.len();
    let start = (curve.num_it / 10).min(n);
    let end = n.saturating_sub(5).max(start);
    let losses = &curve.smoothed[start..end];
    let cut = losses
        .iter()
        .position(|x| x.is_nan())
        .unwrap_or(losses.len());
    (start, &curve.lrs[start..start + cut], &losses[..cut])
}

/// Index of the smallest value, NaN treated as larger than anything (first index on ties).
fn argmin(values: &[f64]) -> Option<usize> {
    let key = |v: f64| if v.is_nan() { f64::INFINITY } else { v };
    (0..values.len()).reduce(|best, i| {
        if key(values[i]) < key(values[best]) {
            i
        } else {
            best
        }
    })
}

/// `numpy.gradient` with unit spacing and first-order edges. Needs at least 2 points.
pub fn np_gradient(y: &[f64]) -> Vec<f64> {
    let n = y.len();
    (0..n)
        .map(|i| match i {
            0 => y[1] - y[0],
            i if i == n - 1 => y[n - 1] - y[n - 2],
            i => (y[i + 1] - y[i - 1]) / 2.0,
        })
        .collect()
}

/// fastai `minimum`: a tenth of the LR at the lowest loss.
pub fn minimum(lrs: &[f64], losses: &[f64]) -> RuleResult {
    let i = argmin(losses).ok_or("no points left in fastai's window (the curve is too short)")?;
    Ok(Pick {
        lr: lrs[i] / 10.0,
        index: i,
    })
}

/// fastai `steep`: the LR where the loss falls fastest against log LR.
pub fn steep(lrs: &[f64], losses: &[f64]) -> RuleResult {
    if losses.len() < 2 {
        return Err("needs at least 2 points in fastai's window (the curve is too short)".into());
    }
    let grads: Vec<f64> = (0..losses.len() - 1)
        .map(|i| (losses[i + 1] - losses[i]) / (lrs[i + 1].ln() - lrs[i].ln()))
        .collect();
    let i = argmin(&grads).unwrap_or(0);
    Ok(Pick {
        lr: lrs[i],
        index: i,
    })
}

/// Longest curve `valley` runs on (its loop is quadratic, as fastai's is).
pub const VALLEY_MAX_POINTS: usize = 20_000;

/// fastai `valley`: from the longest descending subsequence, a point about half-way
/// through its middle third. Python's negative indexing is reproduced.
pub fn valley(lrs: &[f64], losses: &[f64]) -> RuleResult {
    let n = losses.len();
    if n == 0 {
        return Err("no points left in fastai's window (the curve is too short)".into());
    }
    if n > VALLEY_MAX_POINTS {
        return Err(format!(
            "fastai's valley is quadratic in the curve length; {n} points exceed the {VALLEY_MAX_POINTS} it is run on"
        ));
    }
    let (mut max_start, mut max_end) = (0i64, 0usize);
    let mut lds = vec![1usize; n];
    for i in 1..n {
        for j in 0..i {
            if losses[i] < losses[j] && lds[i] < lds[j] + 1 {
                lds[i] = lds[j] + 1;
            }
            if lds[max_end] < lds[i] {
                max_end = i;
                max_start = max_end as i64 - lds[max_end] as i64;
            }
        }
    }
    let sections = (max_end as i64 - max_start) as f64 / 3.0;
    let idx = max_start + sections as i64 + (sections / 2.0) as i64;
    let idx = if idx < 0 { idx + n as i64 } else { idx };
    let index = usize::try_from(idx)
        .ok()
        .filter(|&i| i < n)
        .ok_or("fastai's valley index falls outside the curve")?;
    Ok(Pick {
        lr: lrs[index],
        index,
    })
}

/// fastai `slide` (lr_diff 15, thresh 0.005, adjust_value 1): walks a 15-point interval back
/// from the end while the gradient differs by more than the threshold across it.
pub fn slide(lrs: &[f64], losses: &[f64]) -> RuleResult {
    const LR_DIFF: usize = 15;
    const THRESH: f64 = 0.005;
    let n = losses.len();
    if n < 2 {
        return Err("needs at least 2 points in fastai's window (numpy.gradient fails)".into());
    }
    if n < LR_DIFF + 1 {
        return Err(format!(
            "needs at least {} points in fastai's window, has {n} (fastai raises IndexError)",
            LR_DIFF + 1
        ));
    }
    let grad = np_gradient(losses);
    let (mut r, mut l) = (n - 1, n - 1 - LR_DIFF);
    let mut pick = l;
    loop {
        // Python's `abs(d) > thresh` is false for NaN, which ends the walk.
        let diff = (grad[r] - grad[l]).abs();
        if diff.is_nan() || diff <= THRESH {
            break;
        }
        pick = l;
        if l == 0 {
            break;
        }
        r -= 1;
        l -= 1;
    }
    Ok(Pick {
        lr: lrs[pick],
        index: pick,
    })
}

/// torch-lr-finder's rule on a smoothed curve: `lrs[argmin(np.gradient(L[10:-5])) + 10]`
/// (numpy's argmin returns the first NaN if there is one).
pub fn torch_steepest(lrs: &[f64], smoothed: &[f64]) -> RuleResult {
    const SKIP_START: usize = 10;
    const SKIP_END: usize = 5;
    let end = smoothed.len().saturating_sub(SKIP_END);
    if end < SKIP_START + 2 {
        return Err(format!(
            "needs at least {} points (torch-lr-finder skips 10 at the start and 5 at the end)",
            SKIP_START + SKIP_END + 2
        ));
    }
    let grad = np_gradient(&smoothed[SKIP_START..end]);
    let i = grad
        .iter()
        .position(|g| g.is_nan())
        .or_else(|| argmin(&grad))
        .unwrap_or(0);
    Ok(Pick {
        lr: lrs[i + SKIP_START],
        index: i + SKIP_START,
    })
}

/// `torch.gradient` of `y` against the coordinates `x` (second-order differences inside,
/// first-order at the ends). Needs at least 2 points.
pub fn gradient_against(y: &[f64], x: &[f64]) -> Vec<f64> {
    let n = y.len();
    (0..n)
        .map(|i| match i {
            0 => (y[1] - y[0]) / (x[1] - x[0]),
            i if i == n - 1 => (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]),
            i => {
                let (h1, h2) = (x[i] - x[i - 1], x[i + 1] - x[i]);
                let a = -h2 / (h1 * (h1 + h2));
                let b = (h2 - h1) / (h1 * h2);
                let c = h1 / (h2 * (h1 + h2));
                a * y[i - 1] + b * y[i] + c * y[i + 1]
            }
        })
        .collect()
}

/// Lightning's `_LRFinder.suggestion()` on its smoothed curve: the points from 10 to the
/// last but one, the non-finite ones dropped, then the steepest gradient against the LR
/// (`against_lr`, Lightning 2.5.3 and later) or against the index (2.5.2; its index is then
/// offset by 10 from the start of the kept points, wrong when a NaN was dropped before it,
/// as in Lightning).
pub fn lightning(lrs: &[f64], smoothed: &[f64], against_lr: bool) -> RuleResult {
    const SKIP_BEGIN: usize = 10;
    const SKIP_END: usize = 1;
    let end = smoothed.len().saturating_sub(SKIP_END);
    let kept: Vec<usize> = (SKIP_BEGIN..end.max(SKIP_BEGIN))
        .filter(|&i| smoothed[i].is_finite())
        .collect();
    if kept.len() < 2 {
        return Err(format!(
            "needs at least 2 finite points between point {SKIP_BEGIN} and the last (Lightning returns None), has {}",
            kept.len()
        ));
    }
    let y: Vec<f64> = kept.iter().map(|&i| smoothed[i]).collect();
    let grad = if against_lr {
        let x: Vec<f64> = kept.iter().map(|&i| lrs[i]).collect();
        gradient_against(&y, &x)
    } else {
        np_gradient(&y)
    };
    let k = argmin(&grad).unwrap_or(0);
    let index = if against_lr { kept[k] } else { k + SKIP_BEGIN };
    Ok(Pick {
        lr: lrs[index],
        index,
    })
}

/// Width (standard deviation, in decades of LR) of the knee's centered smoothing.
pub const KNEE_SMOOTH_DECADES: f64 = 0.2;
/// The knee is where the smoothed loss has made this fraction of its fall to the minimum
/// (chosen by leave-one-dataset-out on the evaluate cases, README).
pub const KNEE_FALL: f64 = 0.85;
/// The ramp the knee's answer is expressed for: 37.5 optimizer steps per decade of LR, the
/// default test (300 iterations from 1e-7 to 10).
pub const KNEE_REFERENCE_STEPS_PER_DECADE: f64 = 37.5;
/// The best constant LR for a training of T optimizer steps falls as `T^-KNEE_BUDGET_EXPONENT`
/// (measured on the evaluate cases between 1 and 20 epochs: slopes -0.3 to -1, median
/// -0.77, on 17 of 20 cases; the exponent chosen by leave-one-dataset-out). Between 1/2, the step size of SGD theory when
/// gradient noise dominates, and 1, when the steps must only sum to a fixed distance.
pub const KNEE_BUDGET_EXPONENT: f64 = 0.6;
/// The training length, in optimizer steps, the knee's unscaled answer is for (chosen by
/// leave-one-dataset-out); without a planned length, the suggestion is for this one.
pub const KNEE_REFERENCE_TRAINING_STEPS: f64 = 140.0;
/// `knee` never suggests above the LR of the smoothed loss's minimum divided by
/// `10^KNEE_MINIMUM_MARGIN_DECADES`.
pub const KNEE_MINIMUM_MARGIN_DECADES: f64 = 0.0;
/// A fall smaller than this fraction of the starting loss counts as flat.
const FLAT_RELATIVE_DROP: f64 = 0.05;
/// A fall smaller than this many standard errors counts as flat: the standard error of the
/// smoothed fall, from the raw loss's noise and the points the smoothing averages at the
/// start and at the minimum.
const FLAT_NOISE_SIGMAS: f64 = 4.0;

/// The constants of [`knee`], gathered so that `evaluate`'s tooling can score other values
/// on recorded curves (leave-one-dataset-out); [`KNEE`] holds the frozen ones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KneeParams {
    /// Width (standard deviation, in decades of LR) of the centered smoothing.
    pub smooth_decades: f64,
    /// The fraction of the fall to the minimum at which the knee is read.
    pub fall: f64,
    /// The ramp the answer is expressed for, in optimizer steps per decade of LR.
    pub reference_steps_per_decade: f64,
    /// For a planned training of T steps, the suggestion is scaled by
    /// `(reference_training_steps / T)^budget_exponent` (`None`: the training length is
    /// not used).
    pub budget_exponent: Option<f64>,
    /// The training length, in optimizer steps, that the unscaled suggestion is for.
    pub reference_training_steps: f64,
    /// Never suggest above the LR of the smoothed loss's minimum divided by `10^margin`
    /// (`Some(0.0)`: the minimum's LR itself; `None`: no cap).
    pub minimum_margin_decades: Option<f64>,
}

/// The frozen constants of `knee`.
pub const KNEE: KneeParams = KneeParams {
    smooth_decades: KNEE_SMOOTH_DECADES,
    fall: KNEE_FALL,
    reference_steps_per_decade: KNEE_REFERENCE_STEPS_PER_DECADE,
    budget_exponent: Some(KNEE_BUDGET_EXPONENT),
    reference_training_steps: KNEE_REFERENCE_TRAINING_STEPS,
    minimum_margin_decades: Some(KNEE_MINIMUM_MARGIN_DECADES),
};

/// Where `knee` read the curve: the point where the smoothed loss made [`KNEE_FALL`] of its
/// fall, and the point of the smoothed minimum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KneePoint {
    /// Index of the point read.
    pub index: usize,
    /// Index of the smoothed loss's minimum.
    pub minimum: usize,
}

/// The curve `knee` reads: the raw loss smoothed with its centered kernel in log LR, up to
/// the first non-finite loss (NaN after it). What `lr_find.csv` writes as `centered_loss`
/// and the plot draws as the main line.
pub fn knee_curve(lrs: &[f64], raw: &[f64]) -> Vec<f64> {
    let n = raw.iter().position(|x| !x.is_finite()).unwrap_or(raw.len());
    let mut s = if n > 0 {
        log_lr_kernel(&lrs[..n], &raw[..n], KNEE_SMOOTH_DECADES)
    } else {
        Vec::new()
    };
    s.resize(raw.len(), f64::NAN);
    s
}

/// Steps 1 to 3 of [`knee`]: the point it reads on the centered smoothing of `raw` (or why
/// the curve gives no answer). `lrs` must be positive and increase.
pub fn knee_point(lrs: &[f64], raw: &[f64], params: &KneeParams) -> Result<KneePoint, String> {
    let n = raw.iter().position(|x| !x.is_finite()).unwrap_or(raw.len());
    if n < 10 {
        return Err(format!(
            "only {n} finite points before divergence; needs at least 10 (start lower or run more iterations)"
        ));
    }
    let (lrs, raw) = (&lrs[..n], &raw[..n]);
    if lrs[0] <= 0.0 || lrs.windows(2).any(|w| w[1] <= w[0]) {
        return Err("the LRs must be positive and increase along the curve".into());
    }
    let s = log_lr_kernel(lrs, raw, params.smooth_decades);
    let m = argmin(&s).unwrap_or(0);
    let start_level = s[0];
    let drop = start_level - s[m];
    let residuals: Vec<f64> = raw.iter().zip(&s).map(|(a, b)| (a - b).abs()).collect();
    let sigma = 1.4826 * median(&residuals);
    let variance = log_lr_kernel_variance(lrs, 0, params.smooth_decades)
        + log_lr_kernel_variance(lrs, m, params.smooth_decades);
    let error = sigma * variance.sqrt();
    if drop <= FLAT_RELATIVE_DROP * start_level.abs() || drop <= FLAT_NOISE_SIGMAS * error {
        return Err(format!(
            "the loss never falls clearly (fall {drop:.3} from {start_level:.3}, standard error {error:.3}): \
             the curve gives no reliable suggestion; try a wider LR range, more iterations or another optimizer"
        ));
    }
    let level = start_level - params.fall * drop;
    let index = s.iter().position(|&v| v <= level).unwrap_or(m);
    Ok(KneePoint { index, minimum: m })
}

/// lrfind's `knee`, tuned with `lrfind evaluate` (README, "How good are the suggestions?"):
///
/// 1. smooth the raw loss with a centered Gaussian kernel of [`KNEE_SMOOTH_DECADES`] in
///    log LR (no EMA lag, the same span of LRs at any iteration count);
/// 2. measure the fall from the first smoothed point to the minimum against its standard
///    error (the raw loss's noise over the points the smoothing averages at both ends): a
///    fall under 4 standard errors, or under 5 % of the start, is flat and gives no answer;
/// 3. find the first point where the loss has made [`KNEE_FALL`] of that fall;
/// 4. express it for the reference ramp: the LR at which a ramp of
///    [`KNEE_REFERENCE_STEPS_PER_DECADE`] would have summed the same LRs over its steps as
///    this test had by that point. The loss falls once the steps have moved the weights far
///    enough, and the sum of the LRs measures how far; a test with 3x more steps per decade
///    gets there at a 3x lower LR, which this step undoes. The sum counts every optimizer
///    step up to the point ([`Curve::summed_lr`]), also on the validation curve. This is
///    the constant LR for a training of [`KNEE_REFERENCE_TRAINING_STEPS`];
/// 5. for a planned training of T steps ([`Curve::planned_steps`]), scale it by
///    `(KNEE_REFERENCE_TRAINING_STEPS / T)^KNEE_BUDGET_EXPONENT`: shorter trainings want
///    larger steps;
/// 6. never go beyond the LR where the smoothed loss stopped falling (its minimum): there
///    the test itself shows the LR is already too large.
pub fn knee(curve: &Curve) -> RuleResult {
    knee_with(curve, &KNEE)
}

/// [`knee`] with other constants.
pub fn knee_with(curve: &Curve, params: &KneeParams) -> RuleResult {
    let point = knee_point(curve.lrs, curve.raw, params)?;
    let summed = curve.summed_lr(point.index);
    let ratio = 10f64.powf(1.0 / params.reference_steps_per_decade);
    let mut lr = summed * (1.0 - 1.0 / ratio);
    if let (Some(alpha), Some(t)) = (params.budget_exponent, curve.planned_steps) {
        lr *= (params.reference_training_steps / t.max(1) as f64).powf(alpha);
    }
    if let Some(margin) = params.minimum_margin_decades {
        lr = lr.min(curve.lrs[point.minimum] / 10f64.powf(margin));
    }
    Ok(Pick {
        lr,
        index: point.index,
    })
}
