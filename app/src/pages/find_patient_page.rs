//! "Find a patient" (staff): by NHS number, with the modulus-11 check said out loud, or by family
//! name with a given name and date of birth to narrow it. Plain GET forms, so it works without
//! JavaScript; each answer shows just enough to pick the right person.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{BackLink, ErrorSummary, Heading, ScrollingTable, ServiceProblem},
    error::AppError,
    patients::{
        BORN_FIELD, FAMILY_FIELD, FindPatientView, GIVEN_FIELD, NHS_NUMBER_FIELD, NameMatchesDto,
        PatientMatchDto, find_patient, find_patients_by_name,
    },
};

/// What the address asks for: the NHS number form's query or the name form's.
#[derive(Debug, Clone, PartialEq)]
enum Asked {
    Nothing,
    NhsNumber(String),
    Name {
        family: String,
        given: Option<String>,
        born: Option<String>,
    },
}

/// Serialisable, as every `Resource` value must be.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
enum Answer {
    Nothing,
    ByNumber(FindPatientView),
    ByName(NameMatchesDto),
}

#[component]
pub fn FindPatientPage() -> impl IntoView {
    let query = use_query_map();
    let asked = Memo::new(move |_| {
        let query = query.read();
        match (query.get(NHS_NUMBER_FIELD), query.get(FAMILY_FIELD)) {
            (Some(nhs_number), _) => Asked::NhsNumber(nhs_number),
            (None, Some(family)) => Asked::Name {
                family,
                given: query.get(GIVEN_FIELD),
                born: query.get(BORN_FIELD),
            },
            (None, None) => Asked::Nothing,
        }
    });
    let result = Resource::new(
        move || asked.get(),
        |asked| async move {
            match asked {
                Asked::Nothing => Ok(Answer::Nothing),
                Asked::NhsNumber(nhs_number) => {
                    find_patient(nhs_number).await.map(Answer::ByNumber)
                }
                Asked::Name {
                    family,
                    given,
                    born,
                } => find_patients_by_name(family, given, born)
                    .await
                    .map(Answer::ByName),
            }
        },
    );
    view! {
        <BackLink href="/" label="Back to home" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let answer = result.await;
                let problems = match &answer {
                    Err(AppError::Invalid { problems }) => problems.clone(),
                    _ => Vec::new(),
                };
                let error_of = |field: &str| problems.iter().find(|p| p.field_id == field).map(|p| p.message.clone());
                let title = if problems.is_empty() { "Find a patient" } else { "Error: Find a patient" };
                let (number, name) = match asked.get_untracked() {
                    Asked::NhsNumber(number) => (number, NameValues::default()),
                    Asked::Name { family, given, born } => (String::new(), NameValues { family, given: given.unwrap_or_default(), born: born.unwrap_or_default() }),
                    Asked::Nothing => (String::new(), NameValues::default()),
                };
                let name_errors = NameErrors {
                    family: error_of(FAMILY_FIELD),
                    born: error_of(BORN_FIELD),
                };
                view! {
                    <Title text=title />
                    {(!problems.is_empty()).then(|| view! { <ErrorSummary errors=problems.clone() /> })}
                    <h1>"Find a patient"</h1>
                    <SearchForm value=number error=error_of(NHS_NUMBER_FIELD) />
                    {match answer.clone() {
                        Ok(Answer::ByNumber(FindPatientView::Found(found))) => view! { <Found found /> }.into_any(),
                        Ok(Answer::ByNumber(FindPatientView::NoMatch)) => view! {
                            <h2>"No patient found"</h2>
                            <p>"No patient has that NHS number here. Check it with the patient, or ask them for a letter from the NHS that shows it."</p>
                        }.into_any(),
                        _ => ().into_any(),
                    }}
                    <NameSearchForm values=name errors=name_errors />
                    {match answer {
                        Ok(Answer::ByName(found)) => view! { <NameMatches found /> }.into_any(),
                        Err(AppError::NotAllowed) => view! {
                            <p>"Only practice staff can look patients up."</p>
                        }.into_any(),
                        Ok(_) | Err(AppError::Invalid { .. }) => ().into_any(),
                        Err(AppError::SignInRequired) => view! {
                            <p>
                                <a class="button" href="/sign-in?return_to=/patients">"Sign in"</a>
                            </p>
                        }.into_any(),
                        Err(error) => view! { <ServiceProblem error /> }.into_any(),
                    }}
                }
            })}
        </Suspense>
    }
}

/// What was typed into the name form, shown again with its answer.
#[derive(Default)]
struct NameValues {
    family: String,
    given: String,
    born: String,
}

struct NameErrors {
    family: Option<String>,
    born: Option<String>,
}

#[component]
fn NameSearchForm(values: NameValues, errors: NameErrors) -> impl IntoView {
    let NameValues {
        family,
        given,
        born,
    } = values;
    let NameErrors {
        family: family_error,
        born: born_error,
    } = errors;
    let error_line = |id: &'static str, message: Option<String>| {
        message.map(|message| {
            view! {
                <p class="error-message" id=format!("{id}-error")>
                    <span class="sr-only">"Error: "</span>
                    {message}
                </p>
            }
        })
    };
    let described = |id: &'static str, error: bool| {
        if error {
            format!("{id}-hint {id}-error")
        } else {
            format!("{id}-hint")
        }
    };
    view! {
        <h2 class="mt-10">"Search by name"</h2>
        <form method="get" action="/patients">
            <div class="form-group" class:form-group-error=family_error.is_some()>
                <label class="label" for=FAMILY_FIELD>"Family name"</label>
                <div class="hint" id="family-hint">"The first 2 letters are enough."</div>
                {error_line(FAMILY_FIELD, family_error.clone())}
                <input class="input w-full max-w-sm" class:input-error=family_error.is_some() id=FAMILY_FIELD name=FAMILY_FIELD type="text" autocomplete="off" spellcheck="false" aria-describedby=described(FAMILY_FIELD, family_error.is_some()) value=family />
            </div>
            <div class="form-group">
                <label class="label" for=GIVEN_FIELD>"Given name (optional)"</label>
                <div class="hint" id="given-hint">"Or its first letters."</div>
                <input class="input w-full max-w-sm" id=GIVEN_FIELD name=GIVEN_FIELD type="text" autocomplete="off" spellcheck="false" aria-describedby="given-hint" value=given />
            </div>
            <div class="form-group" class:form-group-error=born_error.is_some()>
                <label class="label" for=BORN_FIELD>"Date of birth (optional)"</label>
                <div class="hint" id="born-hint">"For example, 3 March 1962."</div>
                {error_line(BORN_FIELD, born_error.clone())}
                <input class="input" class:input-error=born_error.is_some() id=BORN_FIELD name=BORN_FIELD type="date" aria-describedby=described(BORN_FIELD, born_error.is_some()) value=born />
            </div>
            <button class="button" type="submit">"Search by name"</button>
        </form>
    }
}

/// The patients a name search found, in a table so that similar people can be told apart.
#[component]
fn NameMatches(found: NameMatchesDto) -> impl IntoView {
    let NameMatchesDto { matches, more } = found;
    if matches.is_empty() {
        return view! {
            <h2>"No patients found"</h2>
            <p>"Check the spelling, try fewer letters of the name, or search by NHS number."</p>
        }
        .into_any();
    }
    let count = matches.len();
    view! {
        <h2>{if count == 1 { "1 patient found".to_owned() } else { format!("{count} patients found") }}</h2>
        {more.then(|| view! {
            <div class="inset-text">
                <p>{format!("Only the first {count} are shown. Add a given name or date of birth to narrow the search.")}</p>
            </div>
        })}
        <ScrollingTable
            caption="Patients found"
            caption_hidden=true
            headings=&[
                Heading::Text("Name"),
                Heading::Text("Date of birth"),
                Heading::Text("NHS number"),
                Heading::Text("Postcode"),
                Heading::Text("Registered"),
            ]
        >
            {matches
                .into_iter()
                .map(|m| view! {
                    <tr>
                        <th scope="row">
                            // A full page load: opening a record is its own audited request.
                            <a href=format!("/patients/{}", m.patient_id)>{m.name}</a>
                        </th>
                        <td>{m.birth_date.unwrap_or_else(|| "Not recorded".to_owned())}</td>
                        <td class="whitespace-nowrap">{m.nhs_number}</td>
                        <td>{m.postcode.unwrap_or_else(|| "Not recorded".to_owned())}</td>
                        <td>{if m.registered_here { "At your practice" } else { "At another practice" }}</td>
                    </tr>
                })
                .collect_view()}
        </ScrollingTable>
    }
    .into_any()
}

#[component]
fn SearchForm(value: String, error: Option<String>) -> impl IntoView {
    let has_error = error.is_some();
    view! {
        <form method="get" action="/patients">
            <div class="form-group" class:form-group-error=has_error>
                <label class="label" for=NHS_NUMBER_FIELD>"NHS number"</label>
                <div class="hint" id="nhs-number-hint">"10 digits, for example 999 123 4567. Spaces and dashes are fine."</div>
                {error.map(|message| view! {
                    <p class="error-message" id="nhs-number-error">
                        <span class="sr-only">"Error: "</span>
                        {message}
                    </p>
                })}
                <input
                    class="input w-full max-w-xs"
                    class:input-error=has_error
                    id=NHS_NUMBER_FIELD
                    name=NHS_NUMBER_FIELD
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=if has_error { "nhs-number-hint nhs-number-error" } else { "nhs-number-hint" }
                    value=value
                />
            </div>
            <button class="button" type="submit">"Search by NHS number"</button>
        </form>
    }
}

#[component]
fn Found(found: PatientMatchDto) -> impl IntoView {
    let PatientMatchDto {
        patient_id,
        name,
        birth_date,
        nhs_number,
        postcode,
        registered_here,
    } = found;
    view! {
        <h2>"Patient found"</h2>
        <div class="card">
            <h3 class="card-heading">
                // A full page load: opening a record is its own audited request.
                <a href=format!("/patients/{patient_id}")>{name}</a>
            </h3>
            <dl class="summary-list">
                <div class="summary-list-row">
                    <dt>"NHS number"</dt>
                    <dd>{nhs_number}</dd>
                </div>
                <div class="summary-list-row">
                    <dt>"Date of birth"</dt>
                    <dd>{birth_date.unwrap_or_else(|| "Not recorded".to_owned())}</dd>
                </div>
                <div class="summary-list-row">
                    <dt>"Postcode"</dt>
                    <dd>{postcode.unwrap_or_else(|| "Not recorded".to_owned())}</dd>
                </div>
                <div class="summary-list-row">
                    <dt>"Registered"</dt>
                    <dd>{if registered_here { "At your practice" } else { "At another practice" }}</dd>
                </div>
            </dl>
            {registered_here.then(|| view! {
                <p class="mb-0"><a href=format!("/patients/{patient_id}/message")>"Send them a message"</a></p>
            })}
        </div>
    }
}
