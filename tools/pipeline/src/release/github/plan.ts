// Pure diff between the local assets and what the GitHub release already holds.
import type { ReleaseAsset } from '../assemble.ts';

export interface RemoteAsset {
  id: number;
  name: string;
  size: number;
  /** "uploaded" when complete; "starter" (or anything else) for an upload that never finished. */
  state: string;
  /** "sha256:<hex>" in the current API; absent/null on older GitHub Enterprise Server. */
  digest?: string | null;
}

export type AssetAction =
  | { kind: 'upload'; asset: ReleaseAsset }
  | { kind: 'replace'; asset: ReleaseAsset; remote: RemoteAsset; reason: string }
  | { kind: 'skip'; asset: ReleaseAsset; remote: RemoteAsset };

export interface AssetPlan {
  actions: AssetAction[];
  /** Remote assets that are not part of this release: left alone. */
  untouched: RemoteAsset[];
}

/**
 * Why a remote asset differs from the local one, or undefined when it matches. Same name, state
 * "uploaded", same size and, when GitHub reports a digest, the same sha256. Without a digest (older
 * GHES) equal size counts as a match: downloading every asset to compare would cost a full download per
 * re-run, and every release asset is re-verified locally against SHA256SUMS anyway.
 */
export function differenceOf(remote: RemoteAsset, asset: ReleaseAsset): string | undefined {
  if (remote.state !== 'uploaded') return `state ${remote.state} (an unfinished upload)`;
  if (remote.size !== asset.size) return `size ${remote.size} != ${asset.size}`;
  if (remote.digest && remote.digest !== `sha256:${asset.sha256}`)
    return `digest ${remote.digest.slice(0, 19)}… differs`;
  return undefined;
}

export function planAssets(local: readonly ReleaseAsset[], remote: readonly RemoteAsset[]): AssetPlan {
  const byName = new Map(remote.map((item) => [item.name, item]));
  const actions: AssetAction[] = local.map((asset) => {
    const existing = byName.get(asset.name);
    if (!existing) return { kind: 'upload', asset };
    const reason = differenceOf(existing, asset);
    return reason === undefined
      ? { kind: 'skip', asset, remote: existing }
      : { kind: 'replace', asset, remote: existing, reason };
  });
  const names = new Set(local.map((asset) => asset.name));
  return { actions, untouched: remote.filter((item) => !names.has(item.name)) };
}
