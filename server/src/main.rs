//! `server [serve]` runs the service; `server seed` fills an empty database with demo data.

use anyhow::bail;
use server::{Application, Config, startup, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    telemetry::init(&config.log_filter);
    match std::env::args().nth(1).as_deref() {
        None | Some("serve") => {
            let app = Application::build(config).await?;
            tracing::info!(address = %app.address()?, "listening");
            app.run_until_stopped().await?;
        }
        Some("seed") => startup::seed_command(&config).await?,
        Some(other) => bail!("unknown command {other:?}: expected `serve` or `seed`"),
    }
    Ok(())
}
