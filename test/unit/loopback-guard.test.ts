import { request } from 'undici';
import { describe, expect, it } from 'vitest';

describe('the test harness', () => {
  it('refuses any connection outside loopback', async () => {
    await expect(request('http://192.0.2.1:80/')).rejects.toThrow(/only talk to loopback/);
  });
});
