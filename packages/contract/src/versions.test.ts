import { describe, expect, it } from 'vitest';
import { compareVersions, latestVersion } from './versions.ts';

describe('compareVersions: the one version order', () => {
  it('compares numbers as numbers', () => {
    expect(['1.24', '1.10', '2', '1.9', '1.24.1', '1.2'].sort(compareVersions)).toEqual([
      '1.2',
      '1.9',
      '1.10',
      '1.24',
      '1.24.1',
      '2',
    ]);
  });

  it('sorts pre-releases below their release and above the release before', () => {
    const sorted = ['1.24', '1.24rc1', '1.9', '1.24-rc2', '1.23.5', '1.24.1', '1.24beta1'].sort(compareVersions);
    expect(sorted).toEqual(['1.9', '1.23.5', '1.24beta1', '1.24rc1', '1.24-rc2', '1.24', '1.24.1']);
    expect(compareVersions('1.0-rc1', '1.0')).toBeLessThan(0);
    expect(compareVersions('1.0-alpha', '1.0-beta')).toBeLessThan(0);
    expect(compareVersions('1.9', '1.24rc1')).toBeLessThan(0);
  });

  it('is a total order: antisymmetric, 0 only for the same label', () => {
    const labels = ['1', '1.0', '1-0', '1.0.0', '1.0rc1', '1.0-RC1', '2024-01-13', '5.4', 'latest'];
    for (const a of labels) {
      for (const b of labels) {
        expect(Math.sign(compareVersions(a, b)) + Math.sign(compareVersions(b, a))).toBe(0);
        if (a !== b) expect(compareVersions(a, b)).not.toBe(0);
      }
    }
  });

  it('latestVersion picks the highest release', () => {
    expect(latestVersion(['1.24rc1', '1.23', '1.24', '1.9'])).toBe('1.24');
    expect(latestVersion(['3.13.0rc2', '3.12'])).toBe('3.13.0rc2');
    expect(() => latestVersion([])).toThrow('no versions');
  });
});
