//! The page frame: skip link, header, footer and the back link.

use leptos::prelude::*;

use crate::{
    SERVICE_NAME,
    account::{CurrentUserDto, get_current_user},
    error::AppError,
};

/// The first focusable element: jumps keyboard and screen-reader users past the header.
#[component]
pub fn SkipLink() -> impl IntoView {
    view! {
        <a class="skip-link" href="#maincontent">
            "Skip to main content"
        </a>
    }
}

#[component]
pub fn Header() -> impl IntoView {
    // One answer for the account links and the banner below them, asked again on each move to
    // another page: choosing whom to act for changes it, and with JavaScript the header stays.
    let location = leptos_router::hooks::use_location();
    let user = Resource::new(move || location.pathname.get(), |_| get_current_user());
    view! {
        <header class="bg-nhs-blue text-white" role="banner">
            <div class="page-width flex flex-wrap items-center justify-between gap-x-6 gap-y-2 py-3">
                <a class="header-link text-2xl font-bold" href="/" aria-label=format!("{SERVICE_NAME} homepage")>
                    {SERVICE_NAME}
                </a>
                <nav aria-label="Main">
                    <ul class="flex flex-wrap gap-x-6 gap-y-1">
                        <li>
                            <a class="header-link" href="/">
                                "Home"
                            </a>
                        </li>
                        <li>
                            <a class="header-link" href="/check-an-nhs-number">
                                "Check an NHS number"
                            </a>
                        </li>
                    </ul>
                </nav>
                <Account user />
            </div>
            <ActingBanner user />
        </header>
    }
}

/// Under the header, on every page while a carer acts for someone: whose record it is, and the
/// way back to their own. Once, when an access they were acting under has ended.
#[component]
fn ActingBanner(user: Resource<Result<Option<CurrentUserDto>, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let user = user.await.ok().flatten()?;
                let message = match user.acting_for {
                    Some(person) => view! {
                        <p class="m-0">
                            <strong>{format!("You are acting for {}", person.name)}</strong>
                            {format!(" ({}). ", person.relationship)}
                            <a href="/acting-for">"Change whose record you are using"</a>
                        </p>
                    }.into_any(),
                    None if user.acting_ended => view! {
                        <p class="m-0">
                            <strong>"Your access to act for someone has ended."</strong>
                            " You are using your own record. "
                            <a href="/acting-for">"Choose whose record to use"</a>
                        </p>
                    }.into_any(),
                    None => return None,
                };
                Some(view! {
                    <div class="bg-nhs-pale-yellow text-nhs-text" role="region" aria-label="Acting for someone">
                        <div class="page-width py-3">{message}</div>
                    </div>
                })
            })}
        </Suspense>
    }
}

/// The header's sign-in slot: "Sign in", or who is signed in, their links and "Sign out".
#[component]
fn Account(user: Resource<Result<Option<CurrentUserDto>, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => view! { <SignedIn user /> }.into_any(),
                    // A failure to tell reads as signed out: the pages themselves still check.
                    Ok(None) | Err(_) => view! {
                        <a class="header-link" href="/sign-in">"Sign in"</a>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedIn(user: CurrentUserDto) -> impl IntoView {
    view! {
        <nav aria-label="Your account" class="flex flex-wrap items-center gap-x-6 gap-y-2">
            {if user.is_patient {
                view! {
                    <a class="header-link" href="/appointments">
                        "Appointments"
                    </a>
                    <a class="header-link" href="/messages">
                        "Messages"
                    </a>
                    <a class="header-link" href="/your-record/who-has-looked">
                        "Who has looked at your record"
                    </a>
                    <a class="header-link" href="/settings/emails">
                        "Emails"
                    </a>
                }
                .into_any()
            } else {
                view! {
                    <a class="header-link" href="/clinic">
                        "Clinic list"
                    </a>
                    <a class="header-link" href="/inbox">
                        "Inbox"
                    </a>
                    // Clinicians decide them; an administrator has no clinical role.
                    {(!user.manages_practice).then(|| view! {
                        <a class="header-link" href="/prescriptions/requests">
                            "Prescriptions"
                        </a>
                    })}
                    <a class="header-link" href="/availability">
                        "Diaries"
                    </a>
                    {user.manages_practice.then(|| view! {
                        <a class="header-link" href="/practice">
                            "Services and places"
                        </a>
                    })}
                    <a class="header-link" href="/patients">
                        "Find a patient"
                    </a>
                }
                .into_any()
            }}
            <p class="m-0">
                <span class="font-bold">{user.name}</span>
                <span class="block text-base">{user.role}</span>
            </p>
            // A plain form post: signing out works without JavaScript, and never by a GET that a
            // prefetch or another site's image tag could trigger.
            <form method="post" action="/auth/sign-out">
                <button class="header-button" type="submit">"Sign out"</button>
            </form>
        </nav>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="mt-12 border-t-4 border-nhs-blue bg-nhs-grey-4" role="contentinfo">
            <div class="page-width py-8 text-base text-nhs-secondary-text">
                <p>
                    {SERVICE_NAME}
                    " is open-source software for GP practices, built on open standards (HL7 FHIR R4, OpenID Connect)."
                </p>
                <p class="mt-2">"Every person and record in this demonstration is synthetic."</p>
            </div>
        </footer>
    }
}

/// The NHS.UK back link: a plain link, so it works without JavaScript.
#[component]
pub fn BackLink(#[prop(into)] href: String, #[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="mb-6">
            <a class="back-link" href=href>
                {label}
            </a>
        </div>
    }
}
