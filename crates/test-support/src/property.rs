//! Property tests whose failures can be replayed: each run draws a new seed (or takes
//! `PROPERTY_SEED`), and a failure names it beside the smallest input that fails, so that
//! `PROPERTY_SEED=… cargo test <name>` runs exactly those cases again.

use proptest::{
    strategy::{Strategy, ValueTree as _},
    test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner},
};

/// Runs `test` on `cases` inputs drawn from `strategy`; panics, naming the seed and the smallest
/// failing input, if any fails or panics.
pub fn check<S>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let seed = seed();
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = runner(seed, config);
    match runner.run(&strategy, test) {
        Ok(()) => {}
        Err(TestError::Fail(reason, input)) => panic!(
            "property {name} failed with PROPERTY_SEED={seed}: {reason}\nsmallest failing input: {input:?}"
        ),
        Err(TestError::Abort(reason)) => {
            panic!("property {name} gave up with PROPERTY_SEED={seed}: {reason}")
        }
    }
}

/// `count` inputs drawn from `strategy`, and the seed they were drawn with: for properties of a
/// running server, checked one request at a time (no shrinking), the seed printed on failure.
pub fn samples<S>(count: usize, strategy: S) -> (u64, Vec<S::Value>)
where
    S: Strategy,
{
    let seed = seed();
    let mut runner = runner(seed, Config::default());
    let values = (0..count)
        .filter_map(|_| strategy.new_tree(&mut runner).ok())
        .map(|tree| tree.current())
        .collect();
    (seed, values)
}

fn runner(seed: u64, config: Config) -> TestRunner {
    let mut bytes = [0_u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// `PROPERTY_SEED` if set (a failure's, to replay it), else a new one from the clock.
fn seed() -> u64 {
    if let Some(seed) = std::env::var("PROPERTY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return seed;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    now.as_secs() ^ u64::from(now.subsec_nanos()).rotate_left(32)
}
