//! "Add a place" (`/practice/places/new`) and "Change a place" (`/practice/places/{id}`): its
//! name, address, phone number, how to get there and in, and whether it is open to patients.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    components::{
        ErrorSummary, FormField, YesNoQuestion, described_by, error_prefix, form_outcome, kept,
        kept_or,
    },
    error::FieldError,
    pages::SetupFormFrame,
    practice_setup::{PlaceSetupDto, PracticeSetupDto, SavePlace},
};

#[component]
pub fn PlaceFormPage() -> impl IntoView {
    let params = use_params_map();
    let action = ServerAction::<SavePlace>::new();
    view! {
        {move || {
            let id = params.read().get("id").unwrap_or_default();
            let title = if id == "new" { "Add a place" } else { "Change a place" };
            let form = Box::new(move |setup: PracticeSetupDto| {
                let place = if id == "new" {
                    PlaceSetupDto {
                        id: String::new(),
                        version: 0,
                        name: String::new(),
                        address_lines: Vec::new(),
                        town: String::new(),
                        postcode: String::new(),
                        phone: String::new(),
                        directions: String::new(),
                        open: true,
                    }
                } else {
                    setup.places.into_iter().find(|p| p.id == id)?
                };
                Some(view! { <PlaceForm title action place /> }.into_any())
            });
            view! { <SetupFormFrame title form /> }
        }}
    }
}

#[component]
fn PlaceForm(
    title: &'static str,
    action: ServerAction<SavePlace>,
    place: PlaceSetupDto,
) -> impl IntoView {
    let (problems, failed) = form_outcome(action.value());
    let page_title = move || format!("{}{title} – Services and places", error_prefix(failed));
    let PlaceSetupDto {
        id,
        version,
        name,
        address_lines,
        town,
        postcode,
        phone,
        directions,
        open,
    } = place;
    let heading = if id.is_empty() {
        title.to_owned()
    } else {
        format!("Change {name}")
    };
    let line = |n: usize| address_lines.get(n).cloned().unwrap_or_default();
    let (line1, line2) = (kept_or("line1", line(0)), kept_or("line2", line(1)));
    let (name_typed, town, postcode, phone, directions) = (
        kept_or("name", name),
        kept_or("town", town),
        kept_or("postcode", postcode),
        kept_or("phone", phone),
        kept_or("directions", directions),
    );
    let open = kept("open").map_or(open, |answer| answer == "yes");
    view! {
        <Title text=page_title />
        {move || {
            let problems: Vec<FieldError> = problems.get();
            (!problems.is_empty()).then(|| view! { <ErrorSummary errors=problems /> })
        }}
        <h1>{heading}</h1>
        <ActionForm action>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="version" value=version.to_string() />
            <FormField id="name" label="Name" hint="As patients will see it, for example Kirkstall branch surgery" problems>
                <input class="input w-full max-w-xl" type="text" id="name" name="name" value=name_typed autocomplete="off" aria-describedby=described_by("name", problems) />
            </FormField>
            <fieldset class="fieldset mb-6">
                <legend class="fieldset-legend label">"Address"</legend>
                <FormField id="line1" label="Building and street" hint="The first line" problems>
                    <input class="input w-full max-w-xl" type="text" id="line1" name="line1" value=line1 autocomplete="off" aria-describedby=described_by("line1", problems) />
                </FormField>
                <FormField id="line2" label="Building and street, line 2 (optional)" hint="If the address needs it" problems>
                    <input class="input w-full max-w-xl" type="text" id="line2" name="line2" value=line2 autocomplete="off" aria-describedby=described_by("line2", problems) />
                </FormField>
                <FormField id="town" label="Town or city" hint="For example, Leeds" problems>
                    <input class="input w-full max-w-md" type="text" id="town" name="town" value=town autocomplete="off" aria-describedby=described_by("town", problems) />
                </FormField>
                <FormField id="postcode" label="Postcode" hint="For example, LS6 2AB" problems>
                    <input class="input input-width-10" type="text" id="postcode" name="postcode" value=postcode autocomplete="off" aria-describedby=described_by("postcode", problems) />
                </FormField>
            </fieldset>
            <FormField id="phone" label="Phone number" hint="The number patients call about appointments here" problems>
                <input class="input w-full max-w-xs" type="tel" id="phone" name="phone" value=phone autocomplete="off" aria-describedby=described_by("phone", problems) />
            </FormField>
            <FormField id="directions" label="How to get there and in (optional)" hint="Entrances, step-free access, buses, parking: patients read this before their appointment" problems>
                <textarea class="textarea max-w-2xl" id="directions" name="directions" rows="4" aria-describedby=described_by("directions", problems)>{directions}</textarea>
            </FormField>
            <YesNoQuestion name="open" legend="Open to patients?" yes="Yes" no="No, closed for now" answer=open />
            <button class="button" type="submit">"Save the place"</button>
        </ActionForm>
    }
}
