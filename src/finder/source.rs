//! Where the range test's batches come from: anything that can be read in passes (epochs),
//! cycled for as many iterations as the test needs.
//!
//! A slice or `Vec` of batches is read in order, pass after pass; [`Passes`] wraps a closure
//! that starts a new pass (an iterator) each time it is called; with the `dataloader`
//! feature, a Burn `DataLoader` (`Arc<dyn DataLoader<B>>`, borrowed or owned) is iterated
//! epoch after epoch. Burn's loaders shuffle from one RNG shared by all their iterations, so
//! iterating the user's loader in the test moves the shuffles of their later training: give
//! the test a loader of its own when those must not change. The runs that must see the
//! same batches (compare, sweep, evaluate) take a factory, which can build a fresh loader
//! with the same shuffle seed for each run and hand it over owned (with one worker, Burn's
//! default: several workers deliver batches in whatever order they finish).

use crate::error::{Error, Result};

/// A source of batches, read one pass (one epoch) at a time.
pub trait BatchSource<'a, B> {
    /// A new pass over the data, in the source's order.
    fn pass(&mut self) -> Box<dyn Iterator<Item = Result<B>> + 'a>;

    /// Batches in one pass, when the source knows it without reading the data.
    fn batches_per_pass(&self) -> Option<usize> {
        None
    }
}

impl<'a, B: Clone> BatchSource<'a, B> for &'a [B] {
    fn pass(&mut self) -> Box<dyn Iterator<Item = Result<B>> + 'a> {
        Box::new(self.iter().cloned().map(Ok))
    }

    fn batches_per_pass(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<'a, B: Clone> BatchSource<'a, B> for &'a Vec<B> {
    fn pass(&mut self) -> Box<dyn Iterator<Item = Result<B>> + 'a> {
        Box::new(self.iter().cloned().map(Ok))
    }

    fn batches_per_pass(&self) -> Option<usize> {
        Some(self.len())
    }
}

/// A closure that starts a new pass over the data each time it is called, e.g.
/// `Passes(|| make_batches(&data, shuffle_seed))`.
pub struct Passes<F>(pub F);

impl<'a, B: 'a, F, I> BatchSource<'a, B> for Passes<F>
where
    F: FnMut() -> I,
    I: IntoIterator<Item = B>,
    I::IntoIter: 'a,
{
    fn pass(&mut self) -> Box<dyn Iterator<Item = Result<B>> + 'a> {
        Box::new((self.0)().into_iter().map(Ok))
    }
}

/// A Burn `DataLoader` (`Arc<dyn DataLoader<B>>`, as `DataLoaderBuilder::build` returns
/// it), iterated epoch after epoch; a batch that cannot be read ends the test with an error.
#[cfg(feature = "dataloader")]
impl<'a, B> BatchSource<'a, B> for &'a std::sync::Arc<dyn burn::data::dataloader::DataLoader<B>> {
    fn pass(&mut self) -> Box<dyn Iterator<Item = Result<B>> + 'a> {
        let loader: &'a std::sync::Arc<dyn burn::data::dataloader::DataLoader<B>> = self;
        Box::new(loader.iter().map(|item| {
            item.map_err(|e| Error::Data {
                source_name: "data loader".into(),
                message: e.to_string(),
            })
        }))
    }
}

/// A Burn `DataLoader` handed over owned, e.g. built by a run factory
/// (`|_| DataLoaderBuilder::new(batcher).shuffle(7).build(dataset.clone())`): the same as a
/// borrowed one, and the loader lives as long as the source.
#[cfg(feature = "dataloader")]
impl<B: 'static> BatchSource<'static, B>
    for std::sync::Arc<dyn burn::data::dataloader::DataLoader<B>>
{
    fn pass(&mut self) -> Box<dyn Iterator<Item = Result<B>>> {
        Box::new(owned::Pass::new(self.clone()).map(|item| {
            item.map_err(|e| Error::Data {
                source_name: "data loader".into(),
                message: e.to_string(),
            })
        }))
    }
}

#[cfg(feature = "dataloader")]
mod owned {
    use std::sync::Arc;

    use burn::data::dataloader::{DataLoader, DataLoaderIterator};
    use burn::data::dataset::DatasetError;

    /// One pass over a loader that the pass keeps alive: Burn's `DataLoader::iter` borrows
    /// the loader, and a pass must outlive the call that starts it.
    pub(super) struct Pass<B: 'static> {
        // Declared before `_loader`, so dropped first: it borrows the loader (and a
        // multi-worker iterator's channel closes before the loader's pool joins its workers).
        iter: Box<dyn DataLoaderIterator<B>>,
        _loader: Arc<dyn DataLoader<B>>,
    }

    impl<B: 'static> Pass<B> {
        pub(super) fn new(loader: Arc<dyn DataLoader<B>>) -> Self {
            let iter = loader.iter();
            // SAFETY: `iter` borrows the loader inside the `Arc`'s allocation, which does not
            // move when the `Arc` does and which lives as long as `_loader`, a strong
            // reference held beside `iter` and dropped after it (fields drop in declaration
            // order); `iter` is never handed out, so the borrow cannot outlive the loader.
            // The only lifetime erased is that borrow's: the loader is `dyn DataLoader<B> +
            // 'static` and `B: 'static` (widening the impl to a shorter-lived loader would
            // make this unsound).
            let iter = unsafe {
                std::mem::transmute::<
                    Box<dyn DataLoaderIterator<B> + '_>,
                    Box<dyn DataLoaderIterator<B> + 'static>,
                >(iter)
            };
            Pass {
                iter,
                _loader: loader,
            }
        }
    }

    impl<B: 'static> Iterator for Pass<B> {
        type Item = Result<B, DatasetError>;

        fn next(&mut self) -> Option<Self::Item> {
            self.iter.next()
        }
    }
}

/// The batches of a source, pass after pass. Ends when a pass yields nothing or a batch
/// cannot be read (kept in [`Cycled::error`]).
pub(crate) struct Cycled<'a, B, S: BatchSource<'a, B>> {
    source: S,
    current: Option<Box<dyn Iterator<Item = Result<B>> + 'a>>,
    in_pass: usize,
    /// The first read error, which ended the batches.
    pub(crate) error: Option<Error>,
}

impl<'a, B, S: BatchSource<'a, B>> Cycled<'a, B, S> {
    pub(crate) fn new(source: S) -> Self {
        Cycled {
            source,
            current: None,
            in_pass: 0,
            error: None,
        }
    }
}

impl<'a, B, S: BatchSource<'a, B>> Iterator for Cycled<'a, B, S> {
    type Item = B;

    fn next(&mut self) -> Option<B> {
        if self.error.is_some() {
            return None;
        }
        // At most two tries: the rest of this pass, then a fresh one.
        for _ in 0..2 {
            let pass = match &mut self.current {
                Some(p) => p,
                None => {
                    self.in_pass = 0;
                    self.current.insert(self.source.pass())
                }
            };
            match pass.next() {
                Some(Ok(b)) => {
                    self.in_pass += 1;
                    return Some(b);
                }
                Some(Err(e)) => {
                    self.error = Some(e);
                    return None;
                }
                None => {
                    if self.in_pass == 0 {
                        return None; // an empty pass: the source has no data
                    }
                    self.current = None;
                }
            }
        }
        None
    }
}
