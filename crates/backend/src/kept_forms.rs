//! What a person typed into a form posted without JavaScript, kept when the form comes back with
//! an error, so that the page shows it again instead of an empty form: a browser with scripts
//! keeps it on the page itself, one without reloads the page. Kept in the database (every
//! server process behind a load balancer must find it), for one showing of one page and at
//! most [`LIFETIME`], under a random id that only the browser's cookie holds. Nothing of it
//! travels in an address, where it would stay in the browser's history and the servers' logs.

use jiff::{SignedDuration, Timestamp};
use store::state::kept_forms as rows;

use crate::{
    Db, StoreError,
    auth::secret::{digest, random_token},
};

/// Long enough for the redirect back to the form, short enough that nothing typed lingers.
pub const LIFETIME: SignedDuration = SignedDuration::from_mins(5);

/// Keeps `fields` (the form's body, URL-encoded) for the page at `page`, and returns the id for
/// the browser's cookie.
pub async fn keep(db: &Db, page: &str, fields: &str, now: Timestamp) -> Result<String, StoreError> {
    let id = random_token();
    rows::insert(
        db.state(),
        &digest(&id),
        page,
        fields,
        now,
        now.checked_sub(LIFETIME).unwrap_or(Timestamp::UNIX_EPOCH),
    )
    .await?;
    Ok(id)
}

/// The fields kept under the cookie's `id` for the page at `page`, taken: a second showing of
/// the page, or a page it was not kept for, finds nothing, and neither does a kept form older
/// than [`LIFETIME`].
pub async fn take(
    db: &Db,
    id: &str,
    page: &str,
    now: Timestamp,
) -> Result<Option<String>, StoreError> {
    let Some((kept_for, fields, kept_at)) = rows::take(db.state(), &digest(id)).await? else {
        return Ok(None);
    };
    let fresh = now.duration_since(kept_at) <= LIFETIME;
    Ok((fresh && kept_for == page).then_some(fields))
}
