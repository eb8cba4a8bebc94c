//! The real OpenID Connect provider the sign-in tests talk to: `end2end/identity-provider`, the
//! npm `oidc-provider` package configured as an NHS login-shaped and an NHS CIS2-shaped issuer,
//! run by Node 22 (installed into `interop/node_modules` by `cargo xtask test`).

use std::{
    io::{BufRead as _, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

pub struct IdentityProvider {
    child: Child,
    pub patient_issuer: String,
    pub staff_issuer: String,
    /// The private key of the patient client (private_key_jwt), written by the provider.
    pub patient_key_file: PathBuf,
}

pub const PATIENT_CLIENT_ID: &str = "health-patient";
pub const STAFF_CLIENT_ID: &str = "health-staff";
pub const STAFF_CLIENT_SECRET: &str = "staff-client-secret-for-tests-only";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server crate sits in the workspace")
        .to_path_buf()
}

impl IdentityProvider {
    /// Starts both issuers on free loopback ports, with clients whose redirect URIs point at the
    /// app that will run at `app_url`.
    pub fn start(app_url: &str, dir: &Path) -> Self {
        let root = workspace_root();
        let node = root.join("interop/node_modules/.bin/node");
        let script = root.join("end2end/identity-provider/identity-provider.mjs");
        assert!(
            node.exists() && root.join("end2end/node_modules/oidc-provider").exists(),
            "the test identity provider needs Node 22 and oidc-provider: run `cargo xtask test` \
             once (it installs both), or `npm install` in interop/ and end2end/"
        );
        let patient_key_file = dir.join("patient-client-key.pem");
        let config = serde_json::json!({
            "providers": [
                {
                    "name": "patient",
                    "clients": [{
                        "client_id": PATIENT_CLIENT_ID,
                        "redirect_uris": [format!("{app_url}/auth/callback/patient")],
                        "private_key_file": patient_key_file,
                    }],
                },
                {
                    "name": "staff",
                    "clients": [{
                        "client_id": STAFF_CLIENT_ID,
                        "client_secret": STAFF_CLIENT_SECRET,
                        "redirect_uris": [format!("{app_url}/auth/callback/staff")],
                    }],
                },
            ],
        });
        let config_file = dir.join("identity-provider.json");
        std::fs::write(&config_file, config.to_string()).expect("the provider's config is written");
        let mut child = Command::new(node)
            .arg(script)
            .arg(&config_file)
            .env("IDP_EXIT_WITH_STDIN", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the identity provider starts");
        let stdout = child.stdout.take().expect("the provider's stdout");
        let mut stdout = BufReader::new(stdout);
        let mut first_line = String::new();
        stdout
            .read_line(&mut first_line)
            .expect("the provider says where it listens");
        // Keep reading what else it prints (notices on stdout): a closed pipe would kill it.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let issuers: serde_json::Value = serde_json::from_str(&first_line)
            .unwrap_or_else(|_| panic!("the provider printed its issuers, not {first_line:?}"));
        Self {
            child,
            patient_issuer: issuers["patient"]
                .as_str()
                .expect("a patient issuer")
                .to_owned(),
            staff_issuer: issuers["staff"]
                .as_str()
                .expect("a staff issuer")
                .to_owned(),
            patient_key_file,
        }
    }
}

impl Drop for IdentityProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
