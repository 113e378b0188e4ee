/** Removes oclif.manifest.json under root when a command or source file is newer; true when it did. */
export function removeStaleManifest(root: string): boolean
