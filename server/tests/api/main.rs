//! Integration tests of the server: each test starts the real service on port 0 against a fresh
//! temporary database, and talks to it over HTTP like a browser or a load balancer would.

// A failed expectation in a test helper is a failed test with a message, which is what we want.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod acting_for;
mod authorization_matrix;
mod backup;
mod browser;
mod calendar;
mod disk_full;
mod fhir;
mod fhir_access;
mod fhir_bundles;
mod fhir_search;
mod fhir_writes;
mod helpers;
mod identity_provider;
mod kept_forms;
mod messages;
mod notifications;
mod pages;
mod parsers;
mod platform;
mod prescriptions;
mod process;
mod record_access;
mod scale_out;
mod sign_in;
mod staff_access;
