/** Inputs and output of `r58 diagnose`. */
import type {ExitCode} from '../errors.js'
import type {IceServer} from '../ice/ice-url.js'
import type {TailscaleOptions} from '../mediamtx/tailscale.js'
import type {AddressScope} from '../net/address-class.js'
import type {Check} from '../report/check.js'
import type {CarrySetting} from './fix-command.js'
import type {HostInputs} from './host.js'
import type {GuestOption, OptionId, Recommendation} from './options.js'

export interface DiagnoseOptions {
  mediamtx: {
    /** MediaMTX's WHIP base URL as this box reaches it, e.g. `http://127.0.0.1:8889`. */
    whipUrl: string
    /** Probes publish to `<path>-lan`, `<path>-tailnet`, `<path>-turn`, `<path>-relay`; never a live path. */
    path: string
    token?: string | undefined
    /** The control API, to read the configuration and confirm what arrived. */
    apiUrl?: string | undefined
    apiUser?: string | undefined
    apiPassword?: string | undefined
    /** mediamtx.yml, when the API is not available. */
    configPath?: string | undefined
  }
  /** TURN servers a remote guest would use, for the relay-only probe (default: those MediaMTX hands out). */
  turn?:
    | {
        iceServers: IceServer[]
        source: string
        /** `r58 mediamtx configure` arguments that give MediaMTX this TURN server (`--turn URL …`), for the fix. */
        configureArgs?: string[] | undefined
      }
    | undefined
  /** STUN servers that tell this box its public address (default: the TURN servers, which answer STUN too). */
  stun?: {urls: string[]} | undefined
  calls?: {appId: string; appSecret: string; apiBase?: string | undefined} | undefined
  /** `url` is the guest listener; `adminUrl` the operator listener that serves /healthz (http://… or unix:/path). */
  relay?: {url: string; token?: string | undefined; adminUrl?: string | undefined} | undefined
  /** Exit 0 only when every one of these options works (default: any option that serves remote guests). */
  require?: readonly OptionId[]
  /** Bound for the whole diagnosis. Default 10000 ms. */
  timeoutMs?: number
  /** Bound for each step (HTTP request, ICE checking, first media). Default 4000 ms. */
  stepTimeoutMs?: number
  /** Connect probes only through candidates of these scopes (the lab: `['this-host']`). */
  via?: readonly AddressScope[] | undefined
  /** How a fix command gets a setting that was given on diagnose's command line (default: inherits it). */
  carry?: CarrySetting | undefined
  tailscale?: TailscaleOptions
  host?: HostInputs
  onProgress?: (event: {id: string; title: string; state: 'start' | 'done'}) => void
  signal?: AbortSignal
}

export interface DiagnoseReport {
  target: {whipUrl: string; apiUrl: string | null; path: string}
  checks: Check[]
  /** The five ways in: LAN, Tailscale, TURN on MediaMTX, a forwarded UDP port, Calls relay. */
  options: GuestOption[]
  recommendation: Recommendation
  /** Ctrl-C stopped the run: the report is partial, its unfinished checks are `cancelled`, exit 130. */
  cancelled: boolean
  ok: boolean
  exitCode: ExitCode
}
