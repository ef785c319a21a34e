/** Version of the tool, written into evidence records and the AWS user agent. */
export const TOOL_NAME = 'soc2-ml-evidence';
export const TOOL_VERSION = '0.1.0';
