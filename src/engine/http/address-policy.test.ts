import { describe, expect, it } from "vitest";
import { createAddressPolicy, isNonPublicAddress, parseAllowlist } from "./address-policy";

describe("outbound address policy", () => {
  it.each(["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1"])(
    "treats %s as not public",
    (ip) => expect(isNonPublicAddress(ip)).toBe(true),
  );

  it.each(["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])("treats %s as public", (ip) => expect(isNonPublicAddress(ip)).toBe(false));

  it("refuses private IP literals unless allowlisted", () => {
    const policy = createAddressPolicy([]);
    expect(() => policy.checkLiteral("169.254.169.254")).toThrow(/refused/);
    expect(() => policy.checkLiteral("[::1]")).toThrow(/refused/);
    expect(() => policy.checkLiteral("8.8.8.8")).not.toThrow();
    expect(() => createAddressPolicy(["127.0.0.1"]).checkLiteral("127.0.0.1")).not.toThrow();
  });

  it("refuses a hostname that resolves to loopback, unless the name is allowlisted", async () => {
    const lookup = (policy: ReturnType<typeof createAddressPolicy>) =>
      new Promise<string>((resolve, reject) =>
        policy.lookup("localhost", { family: 4 }, (err, address) => (err ? reject(err) : resolve(address as string))),
      );
    await expect(lookup(createAddressPolicy([]))).rejects.toMatchObject({ errorClass: "CONFIG" });
    await expect(lookup(createAddressPolicy(["localhost"]))).resolves.toBe("127.0.0.1");
    await expect(lookup(createAddressPolicy(["127.0.0.1"]))).resolves.toBe("127.0.0.1");
  });

  it("reads the comma list of OUTBOUND_ALLOWLIST", () => {
    expect(parseAllowlist(" 127.0.0.1, localhost ,,")).toEqual(["127.0.0.1", "localhost"]);
    expect(parseAllowlist(undefined)).toEqual([]);
  });
});
