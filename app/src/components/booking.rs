//! The questions and summaries the booking and appointment pages share: one question per page
//! (NHS.UK radios in a fieldset whose legend is the page's heading), errors beside the field and
//! in the summary at the top, and what patients are told when they cannot go on.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    appointments::{
        AppointmentDto, CHANGE_FIELD, DAY_FIELD, DayDto, HoldTime, PatientView, SERVICE_FIELD,
        SLOT_FIELD, ServiceDto, TimeDto, UnavailableDto,
        time_filter::{
            self, ALL_FIELD, CLINICIAN_FIELD, PART_FIELD, PartOfDay, TimeFilter, TimesShown,
        },
    },
    components::{ErrorSummary, ServiceProblem, kept},
    error::{AppError, FieldError},
};

/// One radio button with its label and an optional hint.
#[component]
pub fn RadioItem(
    name: &'static str,
    value: String,
    id: String,
    label: String,
    #[prop(optional)] hint: Option<String>,
    /// Chosen when the form is first shown.
    #[prop(optional)]
    chosen: bool,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described = hint.as_ref().map(|_| hint_id.clone());
    // Chosen before, when its form comes back with an error.
    let checked = kept(name).map_or(chosen, |kept| kept == value);
    view! {
        <div class="radios-item">
            <input class="radios-input" id=id.clone() name=name type="radio" value=value checked=checked aria-describedby=described />
            <label class="radios-label" for=id>{label}</label>
            {hint.map(|hint| view! { <div class="hint radios-hint" id=hint_id>{hint}</div> })}
        </div>
    }
}

/// A question's fieldset: the legend is the page's `<h1>`; with an error, the message sits
/// above the options and the fieldset is described by it.
#[component]
pub fn Question(
    heading: String,
    #[prop(optional)] hint: Option<String>,
    error_id: &'static str,
    error: Option<String>,
    children: Children,
) -> impl IntoView {
    let has_error = error.is_some();
    let described = match (&hint, has_error) {
        (Some(_), true) => Some(format!("{error_id}-hint {error_id}-error")),
        (Some(_), false) => Some(format!("{error_id}-hint")),
        (None, true) => Some(format!("{error_id}-error")),
        (None, false) => None,
    };
    view! {
        <div class="form-group" class:form-group-error=has_error>
            <fieldset class="fieldset" aria-describedby=described>
                <legend class="fieldset-legend">
                    <h1 class="fieldset-heading">{heading}</h1>
                </legend>
                {hint.map(|hint| view! { <div class="hint" id=format!("{error_id}-hint")>{hint}</div> })}
                {error.map(|message| view! {
                    <p class="error-message" id=format!("{error_id}-error")>
                        <span class="sr-only">"Error: "</span>
                        {message}
                    </p>
                })}
                <div class="radios">{children()}</div>
            </fieldset>
        </div>
    }
}

/// "What kind of appointment do you need?": a GET form to the day question.
#[component]
pub fn ServiceQuestion(services: Vec<ServiceDto>, error: Option<String>) -> impl IntoView {
    let first = services
        .first()
        .map(|s| format!("service-{}", s.code))
        .unwrap_or_default();
    view! {
        {error.clone().map(|message| view! {
            <ErrorSummary errors=vec![FieldError { field_id: first.clone(), message }] />
        })}
        <form method="get" action="/book/day">
            <Question heading="What kind of appointment do you need?".to_owned() error_id="service" error>
                {services
                    .into_iter()
                    .map(|service| view! {
                        <RadioItem
                            name=SERVICE_FIELD
                            id=format!("service-{}", service.code)
                            value=service.code
                            label=service.name
                            hint=service.description
                        />
                    })
                    .collect_view()}
            </Question>
            <button class="button" type="submit">"Continue"</button>
        </form>
    }
}

/// "Choose a day": the days with free times, earliest first; a GET form to the time question.
#[component]
pub fn DayQuestion(
    service: ServiceDto,
    days: Vec<DayDto>,
    error: Option<String>,
    /// The appointment being changed, if this is a reschedule.
    #[prop(default = None)]
    change: Option<String>,
) -> impl IntoView {
    if days.is_empty() {
        return view! {
            <h1>"There are no free times to book online"</h1>
            <p>{format!("All the {} times in the next 4 weeks are taken.", service.name.to_lowercase())}</p>
            <p>"Call the practice: they keep some times free each morning for people who need to be seen that day."</p>
            <p><a href="/book">"Choose another kind of appointment"</a></p>
        }
        .into_any();
    }
    let first = days
        .first()
        .map(|d| format!("day-{}", d.date))
        .unwrap_or_default();
    view! {
        {error.clone().map(|message| view! {
            <ErrorSummary errors=vec![FieldError { field_id: first.clone(), message }] />
        })}
        <form method="get" action="/book/time">
            <input type="hidden" name=SERVICE_FIELD value=service.code />
            {change.map(|id| view! { <input type="hidden" name=CHANGE_FIELD value=id /> })}
            <Question
                heading="Choose a day".to_owned()
                hint=format!("{}. Days with free times in the next 4 weeks, earliest first.", service.name)
                error_id="day"
                error
            >
                {days
                    .into_iter()
                    .map(|day| view! {
                        <RadioItem
                            name=DAY_FIELD
                            id=format!("day-{}", day.date)
                            value=day.date
                            label=day.label
                            hint=if day.free == 1 { "1 time free".to_owned() } else { format!("{} times free", day.free) }
                        />
                    })
                    .collect_view()}
            </Question>
            <button class="button" type="submit">"Continue"</button>
        </form>
    }
    .into_any()
}

/// Free times as radios, morning and afternoon apart; posting one holds it for the patient. For
/// one day's times ([`Narrowing`]), a plain GET form above them narrows them to a clinician and a
/// part of the day, and of the times left the earliest few show, with a link to the rest
/// (`crate::appointments::time_filter`).
#[component]
pub fn TimeQuestion(
    heading: String,
    hint: String,
    /// Free times, earliest first.
    times: Vec<TimeDto>,
    /// One day's times are narrowed as the address asks; without, every time shows.
    #[prop(optional)]
    narrowing: Option<Narrowing>,
    action: ServerAction<HoldTime>,
    /// The appointment being changed, if this is a reschedule.
    #[prop(default = None)]
    change: Option<String>,
) -> impl IntoView {
    let Some(Narrowing {
        service,
        date,
        filter,
    }) = narrowing
    else {
        return view! {
            <h1>{heading}</h1>
            <div class="hint" id="time-hint">{hint}</div>
            <TimeRadios times more=None action change />
        }
        .into_any();
    };
    let clinicians = time_filter::clinicians(&times);
    let TimesShown { times, more } = time_filter::times_shown(times, &filter);
    // This page's address, narrowed as now or not at all, and with every time or the earliest.
    let address = {
        let carried = change
            .as_ref()
            .map(|id| format!("&{CHANGE_FIELD}={}", encoded(id)))
            .unwrap_or_default();
        let narrowing = format!(
            "{}{}",
            filter
                .clinician
                .as_ref()
                .map(|name| format!("&{CLINICIAN_FIELD}={}", encoded(name)))
                .unwrap_or_default(),
            filter
                .part
                .map(|part| format!("&{PART_FIELD}={}", part.code()))
                .unwrap_or_default(),
        );
        let base = format!(
            "/book/time?{SERVICE_FIELD}={}&{DAY_FIELD}={}{carried}",
            encoded(&service),
            encoded(&date)
        );
        move |narrowed: bool, all: bool| {
            let narrowing = if narrowed { narrowing.as_str() } else { "" };
            let all = if all {
                format!("&{ALL_FIELD}=1")
            } else {
                String::new()
            };
            format!("{base}{narrowing}{all}")
        }
    };
    let carried_change = change
        .clone()
        .map(|id| view! { <input type="hidden" name=CHANGE_FIELD value=id /> });
    let chosen = filter.clinician.clone().unwrap_or_default();
    let part = filter.part;
    let heading = view! {
        <h1>{heading}</h1>
        <div class="hint" id="time-hint">{hint}</div>
        <form method="get" action="/book/time">
            <input type="hidden" name=SERVICE_FIELD value=service />
            <input type="hidden" name=DAY_FIELD value=date />
            {carried_change}
            <div class="form-group">
                <label class="label" for="clinician">"Who would you like to see?"</label>
                <select class="select" id="clinician" name=CLINICIAN_FIELD>
                    <option value="" selected=chosen.is_empty()>"Anyone"</option>
                    {clinicians
                        .into_iter()
                        .map(|name| {
                            let selected = name == chosen;
                            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="form-group">
                <label class="label" for="part">"Time of day"</label>
                <select class="select" id="part" name=PART_FIELD>
                    <option value="" selected=part.is_none()>"Any time"</option>
                    {PartOfDay::ALL
                        .into_iter()
                        .map(|each| view! {
                            <option value=each.code() selected=part == Some(each)>{each.label()}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <button class="button button-secondary" type="submit">"Show these times"</button>
        </form>
    };
    if times.is_empty() {
        return view! {
            {heading}
            <h2>"No times match"</h2>
            <p>"None of this day's free times are with that clinician at that time of day."</p>
            <p><a href=address(false, false)>"Show every free time on this day"</a></p>
        }
        .into_any();
    }
    let more = (more > 0).then(|| (times.len() + more, address(true, true)));
    view! {
        {heading}
        <TimeRadios times more action change />
    }
    .into_any()
}

/// Which day's times [`TimeQuestion`] narrows, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrowing {
    /// The service's code and the day (`2026-12-01`): the page's own address.
    pub service: String,
    pub date: String,
    pub filter: TimeFilter,
}

/// The times as radios in their form. `more`: how many times there are in all when only the
/// earliest show, and the address that shows every one.
#[component]
fn TimeRadios(
    times: Vec<TimeDto>,
    more: Option<(usize, String)>,
    action: ServerAction<HoldTime>,
    change: Option<String>,
) -> impl IntoView {
    let error = move || match action.value().get() {
        Some(Err(AppError::Invalid { problems })) => problems.into_iter().next().map(|p| p.message),
        _ => None,
    };
    let first = times
        .first()
        .map(|t| format!("time-{}", t.slot_id))
        .unwrap_or_default();
    let (morning, afternoon): (Vec<TimeDto>, Vec<TimeDto>) =
        times.into_iter().partition(|t| t.morning);
    // Each part of the day a group of its own, named with its size, which a screen reader says
    // on entering it.
    let group = |part: PartOfDay, times: Vec<TimeDto>| {
        (!times.is_empty()).then(|| {
            let size = match times.len() {
                1 => "1 time".to_owned(),
                n => format!("{n} times"),
            };
            view! {
                <div role="group" aria-label=format!("{}, {size}", part.label())>
                    <h2 class="radios-group-heading">{part.label()}</h2>
                    {times
                        .into_iter()
                        .map(|time| view! {
                            <RadioItem
                                name=SLOT_FIELD
                                id=format!("time-{}", time.slot_id)
                                value=time.slot_id
                                label=time.time
                                hint=format!("{}, {}", time.clinician, time.place)
                            />
                        })
                        .collect_view()}
                </div>
            }
        })
    };
    let morning = group(PartOfDay::Morning, morning);
    let afternoon = group(PartOfDay::Afternoon, afternoon);
    let legend = if more.is_some() {
        "The earliest free times"
    } else {
        "Free times"
    };
    let show_all = more.map(|(total, address)| {
        view! { <p><a href=address>{format!("Show all {total} times")}</a></p> }
    });
    view! {
        {move || error().map(|message| view! {
            <ErrorSummary errors=vec![FieldError { field_id: first.clone(), message }] />
        })}
        <ActionForm action>
            {change.map(|id| view! { <input type="hidden" name=CHANGE_FIELD value=id /> })}
            <div class="form-group" class:form-group-error=move || error().is_some()>
                <fieldset
                    class="fieldset"
                    aria-describedby=move || if error().is_some() { "time-hint time-error" } else { "time-hint" }
                >
                    <legend class="fieldset-legend text-xl font-bold md:text-2xl">{legend}</legend>
                    {move || error().map(|message| view! {
                        <p class="error-message" id="time-error">
                            <span class="sr-only">"Error: "</span>
                            {message}
                        </p>
                    })}
                    <div class="radios">{morning}{afternoon}</div>
                </fieldset>
                {show_all}
            </div>
            <button class="button" type="submit">"Continue"</button>
        </ActionForm>
    }
}

/// A value as it goes in an address's query: every byte but a letter or a digit escaped (a few
/// lines rather than an encoding crate in the browser's code).
fn encoded(value: &str) -> String {
    value
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// The time wanted has gone (or the hold ran out): say so kindly, and offer the nearest others.
#[component]
pub fn TimeUnavailable(
    unavailable: UnavailableDto,
    action: ServerAction<HoldTime>,
    /// The appointment being changed, if this is a reschedule.
    #[prop(default = None)]
    change: Option<String>,
) -> impl IntoView {
    let UnavailableDto {
        hold_expired,
        service,
        alternatives,
    } = unavailable;
    let (heading, explanation) = if hold_expired {
        (
            "Your time was kept for 5 minutes, and they are up",
            "We keep a time for 5 minutes while you check your answers, so that other people can book it if you do not. Choose it again if it is still free, or another time.",
        )
    } else {
        (
            "Sorry, that time has just been booked",
            "Someone else booked it while you were choosing. These are the nearest times still free.",
        )
    };
    let all_days = match &change {
        Some(id) => format!("/book/day?service={}&change={id}", service.code),
        None => format!("/book/day?service={}", service.code),
    };
    view! {
        <div class="warning-callout" role="status">
            <h2 class="mt-0">{heading}</h2>
            <p class="mb-0">{explanation}</p>
        </div>
        {if alternatives.is_empty() {
            view! {
                <h1>"No other times are free nearby"</h1>
                <p><a href=all_days>"See every day with free times"</a></p>
            }.into_any()
        } else {
            view! {
                <TimeQuestion
                    heading="Choose another time".to_owned()
                    hint=format!("{}: the nearest free times.", service.name)
                    times=alternatives
                    action
                    change=change
                />
                <p class="mt-6"><a href=all_days>"See every day with free times"</a></p>
            }.into_any()
        }}
    }
}

/// What an appointment is, when, with whom and where, as an NHS.UK summary list.
#[component]
pub fn AppointmentSummary(appointment: AppointmentDto) -> impl IntoView {
    let AppointmentDto {
        reference,
        service,
        when,
        datetime,
        clinician,
        place,
        address,
        directions,
        reason,
        contact,
        cancellation_reason,
        ..
    } = appointment;
    view! {
        <dl class="summary-list mb-6">
            <div class="summary-list-row"><dt>"Appointment"</dt><dd>{service}</dd></div>
            <div class="summary-list-row"><dt>"When"</dt><dd><time datetime=datetime>{when}</time></dd></div>
            <div class="summary-list-row"><dt>"With"</dt><dd>{clinician}</dd></div>
            <div class="summary-list-row">
                <dt>"Where"</dt>
                <dd>
                    {place}
                    {address.into_iter().map(|line| view! { <span class="block">{line}</span> }).collect_view()}
                </dd>
            </div>
            {directions.map(|directions| view! {
                <div class="summary-list-row"><dt>"How to get there"</dt><dd>{directions}</dd></div>
            })}
            {reason.map(|reason| view! {
                <div class="summary-list-row"><dt>"What it is about"</dt><dd>{reason}</dd></div>
            })}
            {contact.map(|contact| view! {
                <div class="summary-list-row"><dt>"How we contact you"</dt><dd>{contact}</dd></div>
            })}
            {cancellation_reason.map(|why| view! {
                <div class="summary-list-row"><dt>"Why it was cancelled"</dt><dd>{why}</dd></div>
            })}
            <div class="summary-list-row"><dt>"Reference"</dt><dd>{reference}</dd></div>
        </dl>
    }
}

/// What a patient's page shows for its server function's answer: `ready` with the data, or, in
/// its place, why not: "prove who you are" below P9 (titled "Prove who you are – `title`"), or
/// sign in, not for staff, not found, a problem with the service (titled `title`).
pub fn patient_page<T>(
    answer: Result<PatientView<T>, AppError>,
    title: &'static str,
    to: &'static str,
    return_to: &'static str,
    ready: impl FnOnce(T) -> AnyView,
) -> AnyView {
    match answer {
        Ok(PatientView::Ready(value)) => ready(value),
        Ok(PatientView::ProofingTooLow) => view! {
            <Title text=format!("Prove who you are – {title}") />
            <h1>{title}</h1>
            <ProveWhoYouAre to />
        }
        .into_any(),
        Err(error) => view! {
            <Title text=title />
            <PatientPageRefusal error return_to=return_to.to_owned() />
        }
        .into_any(),
    }
}

/// NHS login has checked the patient below P9: what they cannot do yet, why, and how to.
#[component]
pub fn ProveWhoYouAre(to: &'static str) -> impl IntoView {
    view! {
        <div class="inset-text">
            <p>{format!("You need to prove who you are before you can {to}.")}</p>
        </div>
        <p>
            "NHS login has not fully checked your identity yet. To protect your health information, only people whose identity has been fully checked can use their GP record and appointments online."
        </p>
        <h2>"What you can do"</h2>
        <ul class="list-bullet">
            <li>"prove who you are in the NHS App or on the NHS login website, using photo ID such as a passport or driving licence"</li>
            <li>"or ask your GP practice to confirm who you are"</li>
        </ul>
        <p>"Then sign out and sign in again. Until then, the practice can help you by phone."</p>
    }
}

/// What a patient page shows when its data cannot be had: sign in, not for you, not there, or
/// a problem with the service.
#[component]
pub fn PatientPageRefusal(error: AppError, return_to: String) -> impl IntoView {
    match error {
        AppError::SignInRequired => view! {
            <h1>"Sign in to continue"</h1>
            <p>"You need to sign in with NHS login to book and manage appointments."</p>
            <p>
                <a class="button" href=format!("/sign-in?return_to={return_to}")>"Sign in"</a>
            </p>
        }
        .into_any(),
        AppError::NotAllowed => view! {
            <h1>"This is for patients"</h1>
            <p>"Patients book and manage their own appointments here. Practice staff manage appointments from the clinic list."</p>
        }
        .into_any(),
        AppError::NotGranted => view! {
            <h1>"You cannot do this for them"</h1>
            <NotGrantedForThem />
        }
        .into_any(),
        AppError::NotFound => view! {
            <h1>"Appointment not found"</h1>
            <p>"We could not find that appointment. "<a href="/appointments">"See your appointments"</a>"."</p>
        }
        .into_any(),
        error => view! { <ServiceProblem error /> }.into_any(),
    }
}

/// Why a carer acting for someone may not do this: their grant does not cover it.
#[component]
pub fn NotGrantedForThem() -> impl IntoView {
    view! {
        <p>"You have not been given access to do this for the person you are acting for. Access to act for someone covers only what was agreed with their GP practice: their health record, their appointments, their messages or their repeat prescriptions."</p>
        <p>"If you need more, ask their GP practice."</p>
        <p><a href="/acting-for">"Choose whose record to use"</a></p>
    }
}
