//! A table that may be wider than the screen (a phone, large text): it scrolls sideways in a box
//! of its own, never the page, and that box is a region named by the table's caption that
//! takes keyboard focus, so that it can be scrolled without a pointer.

use leptos::prelude::*;

/// One column's heading.
#[derive(Clone, Copy)]
pub enum Heading {
    /// Words, read from the left.
    Text(&'static str),
    /// Figures, lined up on the right.
    Number(&'static str),
    /// A column of links such as "Change": named for screen readers only.
    Action,
}

#[component]
pub fn ScrollingTable(
    /// Names the table and its region.
    #[prop(into)]
    caption: String,
    headings: &'static [Heading],
    /// More classes for the table (its own layout).
    #[prop(optional)]
    class: Option<&'static str>,
    /// The caption is read out but not shown: the heading above says it already.
    #[prop(optional)]
    caption_hidden: bool,
    /// The rows.
    children: Children,
) -> impl IntoView {
    let region = caption.clone();
    let table_class = class.map_or_else(|| "table".to_owned(), |class| format!("table {class}"));
    let caption_class = if caption_hidden {
        "table-caption sr-only"
    } else {
        "table-caption"
    };
    view! {
        <div class="table-scroll" role="region" aria-label=region tabindex="0">
            <table class=table_class>
                <caption class=caption_class>{caption}</caption>
                <thead>
                    <tr>
                        {headings
                            .iter()
                            .map(|heading| match *heading {
                                Heading::Text(text) => view! { <th scope="col">{text}</th> }.into_any(),
                                Heading::Number(text) => {
                                    view! { <th scope="col" class="text-right">{text}</th> }.into_any()
                                }
                                Heading::Action => {
                                    view! { <th scope="col"><span class="sr-only">"Action"</span></th> }
                                        .into_any()
                                }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
