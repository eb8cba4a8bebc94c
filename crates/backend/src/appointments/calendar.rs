//! An appointment as an iCalendar event (RFC 5545), for "add to your calendar": pure, so the
//! text is tested here and the server only serves it.

use jiff::Timestamp;

use super::Appointment;

/// The `.ics` file for `appointment`, stamped `now`. Times are in UTC, which every calendar
/// shows in the reader's own time zone.
pub fn ics(appointment: &Appointment, now: Timestamp) -> String {
    let mut location = vec![appointment.place.clone()];
    location.extend(appointment.address.iter().cloned());
    let mut description = format!(
        "Reference {}. To change or cancel it, sign in to Open Health.",
        appointment.reference
    );
    if let Some(directions) = &appointment.directions {
        description.push_str(&format!(" How to get there: {directions}"));
    }
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Open Health//Appointments//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@openhealth", appointment.id),
        format!("DTSTAMP:{}", utc(now)),
        format!("DTSTART:{}", utc(appointment.start)),
        format!("DTEND:{}", utc(appointment.end)),
        format!("SUMMARY:{}", text(&summary(appointment))),
        format!("LOCATION:{}", text(&location.join(", "))),
        format!("DESCRIPTION:{}", text(&description)),
        format!(
            "STATUS:{}",
            if appointment.status == "cancelled" {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines
        .iter()
        .map(|line| fold(line))
        .collect::<Vec<_>>()
        .join("")
}

/// "GP appointment with Dr Amara Okafor" (just the service where no clinician is named).
fn summary(appointment: &Appointment) -> String {
    match appointment.clinician.as_str() {
        "" => appointment.service.name.clone(),
        clinician => format!("{} with {clinician}", appointment.service.name),
    }
}

/// `20261203T093000Z`.
fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: backslashes, commas, semicolons and line breaks escaped.
fn text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// One content line, folded at 75 octets (never inside a character) and ended with CRLF.
fn fold(line: &str) -> String {
    let mut folded = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for ch in line.chars() {
        if width + ch.len_utf8() > 75 {
            folded.push_str("\r\n ");
            width = 1;
        }
        folded.push(ch);
        width += ch.len_utf8();
    }
    folded.push_str("\r\n");
    folded
}

#[cfg(test)]
mod tests {
    use domain::booking::DEFAULT_CANCELLATION_CUTOFF;

    use super::*;
    use crate::appointments::Service;

    fn appointment() -> Appointment {
        Appointment {
            id: "a1".into(),
            reference: "K7P2-QX9M".into(),
            status: "booked".into(),
            service: Service {
                code: "gp".into(),
                name: "GP appointment".into(),
                description: String::new(),
                cancellation_cutoff: DEFAULT_CANCELLATION_CUTOFF,
            },
            start: "2026-12-03T09:30:00Z".parse().unwrap(),
            end: "2026-12-03T09:40:00Z".parse().unwrap(),
            clinician: "Dr Amara Okafor".into(),
            place: "Riverside Medical Practice, main surgery".into(),
            address: vec!["1 Mill Lane".into(), "Leeds".into(), "LS6 2AB".into()],
            directions: Some("The entrance is on Mill Lane; step-free access.".into()),
            reason: None,
            contact: None,
            cancellation_reason: None,
            cancellable: Ok(()),
        }
    }

    #[test]
    fn an_appointment_is_one_event_in_utc_with_escaped_text() {
        let ics = ics(&appointment(), "2026-12-01T08:00:00Z".parse().unwrap());
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(ics.contains("\r\nDTSTART:20261203T093000Z\r\n"));
        assert!(ics.contains("\r\nDTEND:20261203T094000Z\r\n"));
        assert!(ics.contains("\r\nSUMMARY:GP appointment with Dr Amara Okafor\r\n"));
        assert!(ics.contains("\r\nLOCATION:Riverside Medical Practice\\, main surgery\\, 1 Mill"));
        assert!(ics.contains("\r\nSTATUS:CONFIRMED\r\n"));
        // Unfolded, the description keeps its escaped semicolon.
        assert!(
            ics.replace("\r\n ", "")
                .contains("Mill Lane\\; step-free access.")
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets() {
        for line in ics(&appointment(), Timestamp::UNIX_EPOCH).split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
    }
}
