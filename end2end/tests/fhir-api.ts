// The FHIR API as another system uses it (demo mode's client credentials): specs set up the
// exact records a journey needs, such as an appointment starting now.
import { expect, type APIRequestContext } from '@playwright/test';

const FHIR_JSON = 'application/fhir+json';

export class FhirClient {
  private constructor(private request: APIRequestContext, private token: string) {}

  static async connect(request: APIRequestContext): Promise<FhirClient> {
    const response = await request.post('/oauth2/token', {
      form: {
        grant_type: 'client_credentials',
        client_id: 'demo-client',
        client_secret: 'demo-secret-synthetic-data-only',
      },
    });
    expect(response.status(), 'the demo client gets a token').toBe(200);
    return new FhirClient(request, (await response.json()).access_token);
  }

  async search(query: string): Promise<any[]> {
    const response = await this.request.get(`/fhir/${query}`, { headers: this.headers() });
    expect(response.status(), `GET /fhir/${query}`).toBe(200);
    return ((await response.json()).entry ?? []).map((e: any) => e.resource);
  }

  async create(resource: any): Promise<any> {
    const response = await this.request.post(`/fhir/${resource.resourceType}`, {
      headers: { ...this.headers(), 'content-type': FHIR_JSON },
      data: JSON.stringify(resource),
    });
    expect(response.status(), `POST /fhir/${resource.resourceType}: ${await response.text()}`).toBe(201);
    return response.json();
  }

  async update(resource: any): Promise<any> {
    const response = await this.request.put(`/fhir/${resource.resourceType}/${resource.id}`, {
      headers: { ...this.headers(), 'content-type': FHIR_JSON },
      data: JSON.stringify(resource),
    });
    expect(response.status(), `PUT /fhir/${resource.resourceType}/${resource.id}: ${await response.text()}`).toBe(200);
    return response.json();
  }

  private headers() {
    return { authorization: `Bearer ${this.token}`, accept: FHIR_JSON };
  }
}

/** A clinician's PractitionerRole and practice, by their SDS user id (Dr Amara Okafor's by default). */
export async function clinician(fhir: FhirClient, sdsUserId = '555000000000') {
  const [person] = await fhir.search(`Practitioner?identifier=https://fhir.nhs.uk/Id/sds-user-id|${sdsUserId}`);
  const [role] = await fhir.search(`PractitionerRole?practitioner=Practitioner/${person.id}`);
  return { role: `PractitionerRole/${role.id}`, organization: role.organization.reference as string };
}

/**
 * A new synthetic patient of the practice, booked with Dr Okafor at `start` for ten minutes, as
 * another system would book them. Answers with the patient's name as the clinic list shows it.
 */
export async function bookedWithDrOkafor(fhir: FhirClient, start: Date): Promise<string> {
  return bookedWith(fhir, '555000000000', start);
}

/** As `bookedWithDrOkafor`, with the clinician whose SDS user id is `sdsUserId`. */
export async function bookedWith(fhir: FhirClient, sdsUserId: string, start: Date): Promise<string> {
  const { role, organization } = await clinician(fhir, sdsUserId);
  // Letters only, so that the name reads like one; unique, so parallel runs never meet.
  const family = 'Test' + Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 8);
  const patient = await fhir.create({
    resourceType: 'Patient',
    name: [{ use: 'official', family, given: ['Robin'] }],
    gender: 'unknown',
    birthDate: '1970-01-01',
    generalPractitioner: [{ reference: organization }],
  });
  await fhir.create({
    resourceType: 'Appointment',
    status: 'booked',
    start: start.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    end: new Date(start.getTime() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    participant: [
      { actor: { reference: `Patient/${patient.id}` }, status: 'accepted' },
      { actor: { reference: role }, status: 'accepted' },
    ],
  });
  return `Robin ${family}`;
}

/** The instant of wall-clock time `hhmm` ("09:30") on `day` ("2027-01-05") in London. */
export function londonTime(day: string, hhmm: string): Date {
  for (const offset of ['+00:00', '+01:00']) {
    const at = new Date(`${day}T${hhmm}:00${offset}`);
    const shown = at.toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' });
    if (shown === hhmm) return at;
  }
  throw new Error(`${day} ${hhmm} is not a time in London`);
}
