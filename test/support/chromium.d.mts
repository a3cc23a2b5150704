/** Debian's Chromium (apt-get install -y chromium), or CHROMIUM_PATH. */
export declare const chromiumPath: string;
/** The flags every test and bench launches Chromium with; `fakeDevices` fake cameras and microphones each. */
export declare function chromiumArgs(options?: { fakeDevices?: number }): string[];
