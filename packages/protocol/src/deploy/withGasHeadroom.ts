/**
 * Gas limit with headroom over an estimate: `estimate × 1.25 + 25 000`.
 *
 * Why: estimates run in a pending block whose timestamp can equal the last block's, while the mined block's
 * timestamp is later; StudioProxy records `lastActionAt = block.timestamp` in a packed slot, so a same-second estimate
 * prices that SSTORE as a no-op (100 gas) and the real transaction (2 900+ gas more) runs out of gas.
 * Use it for any StudioProxy write whose gas limit comes from an estimate.
 *
 * @example
 * const gas = withGasHeadroom(await publicClient.estimateContractGas(request));
 * await walletClient.writeContract({ ...request, gas });
 */
export function withGasHeadroom(estimate: bigint): bigint {
  return (estimate * 5n) / 4n + 25_000n;
}
