//! Sends the notifications queued in the working state (`backend::notifications`) by email,
//! through the SMTP server of `HEALTH_SMTP_URL`, from every server process.
//!
//! Each process claims what is due (one row goes to one process: `store::state::notifications`),
//! words it, sends it and marks it sent. A refusal or an unreachable mail server puts it back for
//! later (`domain::notifications::retry_after`); after the last attempt it is given up, and staff
//! see it (`failed`). A claim is held for [`LEASE`]: a process that dies while sending leaves the
//! notification to another once the lease ends, so a notification goes at least once, and twice
//! only when a process dies between the mail server taking it and its row being marked.

use std::time::Duration;

use backend::{Db, notifications::compose};
use jiff::{SignedDuration, Timestamp};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use store::state::notifications::{self, Claimed};

use crate::config::MailConfig;

/// How often a process looks for notifications that have come due.
const CHECK_EVERY: Duration = Duration::from_secs(2);
/// How long a process holds a notification it is sending.
const LEASE: SignedDuration = SignedDuration::from_mins(2);
/// Notifications claimed at a time.
const BATCH: u32 = 20;
/// How long sent and given-up notifications are kept (for staff to see what happened).
const KEEP_DONE: SignedDuration = SignedDuration::from_hours(30 * 24);
/// How often those older than that are forgotten (a scan of the table).
const FORGET_EVERY: SignedDuration = SignedDuration::from_hours(1);

/// Sends due notifications until the process ends.
pub fn spawn(db: Db, config: &MailConfig, service_url: String) -> anyhow::Result<()> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(config.url.expose())?
        .timeout(Some(Duration::from_secs(30)))
        .build();
    let from: Mailbox = config.from.parse()?;
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECK_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut forgotten_at = Timestamp::MIN;
        loop {
            every.tick().await;
            let now = Timestamp::now();
            if now.duration_since(forgotten_at) >= FORGET_EVERY {
                match notifications::forget_done(db.state(), now - KEEP_DONE).await {
                    Ok(_) => forgotten_at = now,
                    Err(error) => {
                        tracing::warn!(%error, "old notifications could not be forgotten")
                    }
                }
            }
            if let Err(error) = deliver_due(&db, &transport, &from, &service_url).await {
                tracing::warn!(%error, "queued notifications could not be read");
            }
        }
    });
    Ok(())
}

async fn deliver_due(
    db: &Db,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    service_url: &str,
) -> Result<(), store::StoreError> {
    loop {
        let now = Timestamp::now();
        let claimed = notifications::claim_due(db.state(), now, now + LEASE, BATCH).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        for notification in claimed {
            let outcome = send(transport, from, service_url, &notification).await;
            let now = Timestamp::now();
            match outcome {
                Ok(()) => notifications::sent(db.state(), &notification.id, now).await?,
                Err(failure) => {
                    tracing::warn!(
                        kind = notification.kind,
                        attempt = notification.attempt,
                        failure,
                        "a notification was not sent"
                    );
                    match domain::notifications::retry_after(notification.attempt) {
                        Some(wait) => {
                            let due_at = now + SignedDuration::try_from(wait).unwrap_or(LEASE);
                            notifications::retry_at(db.state(), &notification.id, due_at, &failure)
                                .await?;
                        }
                        None => {
                            notifications::give_up(db.state(), &notification.id, now, &failure)
                                .await?;
                        }
                    }
                }
            }
        }
    }
}

/// Sends one notification; the failure in words fit for staff (the mail server's, no patient
/// data).
async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    service_url: &str,
    notification: &Claimed,
) -> Result<(), String> {
    let email = compose(&notification.kind, &notification.details, service_url)
        .ok_or("this version does not know how to word it")?;
    let to: Mailbox = notification
        .recipient
        .parse()
        .map_err(|_| "the address is not one a mail server takes".to_owned())?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(email.body)
        .map_err(|error| format!("the message could not be built: {error}"))?;
    transport
        .send(message)
        .await
        .map(drop)
        .map_err(|error| match error.status() {
            Some(code) => format!("the mail server refused it ({code})"),
            None if error.is_timeout() => "the mail server did not answer in time".to_owned(),
            None => "the mail server could not be reached".to_owned(),
        })
}
