//! A throwaway PostgreSQL server for the test suite: a fresh cluster in a temporary directory,
//! listening on loopback only, gone when the value is dropped.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
};

use crate::{Result, cmd::Cmd};

/// How a throwaway server treats its commits.
#[derive(Clone, Copy)]
pub enum Durability {
    /// Nothing waits for the disk: the test suite, where nothing outlives the run.
    Off,
    /// PostgreSQL's own defaults, as the product runs (`fsync`, `synchronous_commit` and
    /// `full_page_writes` on): the bench, so that its figures are the ones a hospital would see.
    Product,
}

pub struct ThrowawayPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

impl ThrowawayPostgres {
    /// initdb + pg_ctl start: about two seconds.
    pub fn start(durability: Durability) -> Result<Self> {
        let bin = server_bin_dir().ok_or("PostgreSQL server binaries are not installed")?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port for PostgreSQL: {e}"))?
            .port();
        let dir = std::env::temp_dir().join(format!("health-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        // PostgreSQL refuses to run as root; as root, run it as the `postgres` user Debian made.
        let as_postgres_user = Cmd::new("id", &["-u"])
            .read()
            .is_some_and(|uid| uid.trim() == "0");
        if as_postgres_user {
            Cmd::new("chown", &["postgres", &dir.to_string_lossy()]).run()?;
        }
        let server = Self {
            bin,
            dir,
            port,
            as_postgres_user,
        };
        let data = server.dir.join("data");
        server
            .pg(
                "initdb",
                &[
                    "-D",
                    &data.to_string_lossy(),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
            )
            .read()
            .ok_or("initdb failed")?;
        let durability = match durability {
            Durability::Off => "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            Durability::Product => "",
        };
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 {durability}",
            server.dir.display()
        );
        let log = server.dir.join("server.log");
        server
            .pg(
                "pg_ctl",
                &[
                    "-D",
                    &data.to_string_lossy(),
                    "-o",
                    &options,
                    "-l",
                    &log.to_string_lossy(),
                    "-w",
                    "start",
                ],
            )
            .run()
            .map_err(|e| format!("{e}; see {}", log.display()))?;
        Ok(server)
    }

    /// The URL of the server's default database, for `TEST_DATABASE_URL`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Creates an empty database and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        self.pg(
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                name,
            ],
        )
        .run()?;
        Ok(format!(
            "postgres://postgres@127.0.0.1:{}/{name}",
            self.port
        ))
    }

    fn pg(&self, tool: &str, args: &[&str]) -> Cmd {
        let program = self.bin.join(tool).to_string_lossy().into_owned();
        if self.as_postgres_user {
            let mut all = vec!["-u", "postgres", "--", program.as_str()];
            all.extend_from_slice(args);
            Cmd::new("runuser", &all)
        } else {
            Cmd::new(&program, args)
        }
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self
            .pg(
                "pg_ctl",
                &["-D", &data.to_string_lossy(), "-m", "immediate", "stop"],
            )
            .read();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest installed `/usr/lib/postgresql/<version>/bin` holding `initdb`.
pub fn server_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            Path::new(&bin.join("initdb"))
                .exists()
                .then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}
