/** Longest parameter path the store keeps (TR-069 says string(256); some CPEs exceed it, the column holds 512). */
export const MAX_PATH_LENGTH = 512;
