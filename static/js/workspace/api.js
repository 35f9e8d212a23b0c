/* The coding page's calls to the JSON API, and its message formatting. */

/** A fetch wrapper that sends JSON with the CSRF token and throws the server's {"detail"} on an error. */
export function makeApi(csrf, failed) {
  return async function api(method, url, body) {
    const response = await fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new Error((payload && payload.detail) || failed + " (" + response.status + ")");
    return payload;
  };
}

/** Fill %(name)s placeholders of a translated message (the server's gettext format). */
export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_m, key) => String(values[key]));
}
