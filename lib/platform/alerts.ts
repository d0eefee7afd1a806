import { Construct } from 'constructs';
import {
  Alert,
  AlertSpecEventSeverity,
  AlertSpecEventSourcesKind,
} from '../../imports/flux-notification-alert-notification.toolkit.fluxcd.io.js';
import { Provider, ProviderSpecType } from '../../imports/flux-notification-provider-notification.toolkit.fluxcd.io.js';
import { Cluster } from '../fleet/cluster.js';
import { addCheck, show } from '../fleet/errors.js';
import { dnsSubdomainError } from '../fleet/names.js';
import { FLUX_NAMESPACE } from '../gitops/source.js';
import { MANAGED_BY } from './layer.js';
import { intakeProps } from '../fleet/props.js';

/** Where alerts go. */
export type AlertChannelType = 'slack' | 'msteams' | 'generic';

const TYPES: Record<AlertChannelType, ProviderSpecType> = {
  slack: ProviderSpecType.SLACK,
  msteams: ProviderSpecType.MSTEAMS,
  generic: ProviderSpecType.GENERIC,
};

/** Where `platform.alerts(...)` sends failed reconciliations. */
export interface AlertsProps {
  /** Slack, Microsoft Teams or a generic webhook. */
  readonly type: AlertChannelType;
  /**
   * Secret in flux-system whose `address` key holds the webhook URL (created out of band or
   * with SOPS): the URL never appears in Git.
   */
  readonly secretName: string;
  /** Slack channel, e.g. `#platform-alerts`. @default the webhook's own channel */
  readonly channel?: string;
  /** Names the notification Provider and Alert. @default the type, e.g. 'slack' */
  readonly name?: string;
  /** `error` sends failures only; `info` every reconciliation too. @default 'error' */
  readonly severity?: 'error' | 'info';
}

/**
 * A Flux notification Provider and an Alert so that a failed reconciliation of any
 * Kustomization or HelmRelease of the cluster reaches a person. Both live in flux-system with
 * every Kustomization and HelmRelease strata declares (no cross-namespace reference), in the
 * first layer, and carry the cluster's name and stage in every message.
 */
export class Alerts extends Construct {
  /** The Flux notification Provider in flux-system: where the alerts go (Slack, Teams or a webhook). See https://fluxcd.io/flux/components/notification/providers/ */
  readonly provider: Provider;
  /** The Flux notification Alert in flux-system: which events of which Kustomizations and HelmReleases are sent. See https://fluxcd.io/flux/components/notification/alerts/ */
  readonly alert: Alert;


  /** @throws StrataError when `scope` is not inside a cluster of a Fleet */
  constructor(scope: Construct, given: AlertsProps) {
    super(scope, `alerts-${given.name ?? given.type}`);
    const cluster = Cluster.of(this);
    const propsProblems: string[] = [];
    const props = intakeProps('AlertsProps', given, cluster.stage, propsProblems);
    const name = props.name ?? props.type;
    const problems = [
      ...propsProblems,
      !(props.type in TYPES) ? `alerts type ${show(props.type)} is not supported (valid: ${Object.keys(TYPES).join(', ')})` : undefined,
      dnsSubdomainError('alerts secretName', props.secretName),
      props.channel !== undefined && props.type !== 'slack' ? `alerts channel ${show(props.channel)} applies to slack only, not ${show(props.type)}` : undefined,
    ].filter((p): p is string => !!p);
    addCheck(this, () => problems);
    const metadata = { name, namespace: FLUX_NAMESPACE, labels: { ...MANAGED_BY } };
    this.provider = new Provider(this, 'provider', {
      metadata,
      spec: { type: TYPES[props.type] ?? ProviderSpecType.GENERIC, channel: props.channel, secretRef: { name: props.secretName } },
    });
    this.alert = new Alert(this, 'alert', {
      metadata,
      spec: {
        providerRef: { name },
        eventSeverity: props.severity === 'info' ? AlertSpecEventSeverity.INFO : AlertSpecEventSeverity.ERROR,
        eventSources: [
          { kind: AlertSpecEventSourcesKind.KUSTOMIZATION, name: '*' },
          { kind: AlertSpecEventSourcesKind.HELM_RELEASE, name: '*' },
        ],
        eventMetadata: { cluster: cluster.name, stage: cluster.stage.name },
      },
    });
  }
}
