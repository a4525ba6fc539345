/**
 * The AAD context a connection's credentials are encrypted under: binds the ciphertext to its
 * row, so it cannot be copied to another connection of the same organization.
 */
export function connectionSecretContext(connectionId: string): string {
  return `connection:${connectionId}:credentials`;
}
