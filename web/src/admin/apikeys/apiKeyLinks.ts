// Where a key is shown: the API keys page, with the key whose usage is open in the URL (so a
// reload and Back show the same one).

export const API_KEYS_PATH = "/admin/api-keys";

/** The API keys page with one key's usage open. */
export const apiKeyUsagePath = (id: string) => `${API_KEYS_PATH}?key=${encodeURIComponent(id)}`;

/** The element id of a key's Edit button, to give it the focus back when its form closes. */
export const editButtonId = (id: string) => `api-key-edit-${id}`;
