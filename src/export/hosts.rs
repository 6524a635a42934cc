//! Which host every host-bearing setting of the shipped files points at, by the port in its
//! shipped URL (ARCHITECTURE.md, "Host table"):
//!
//! | shipped | points at | written as |
//! |---|---|---|
//! | `localhost:9446` | the Key Manager itself | the load balancer's public host name and `tls_port` |
//! | `localhost:${carbon.management.port}` | the Key Manager itself | the public host name; the port expression stays (it resolves to the connector's `proxyPort`, the `tls_port`) |
//! | `localhost:8243`, bare `localhost` in `<Host>` (followed by `<Port>8243</Port>`) | the API gateway | the design's `api-manager` node (`hostname`, else `ip`), or `OBKM_APIM_HOST` |
//! | `localhost:9443`, `:9763`, `:9611`, `:9711` | the API Manager's own services, traffic manager | the same |
//! | `localhost:7612`, `:7712`, `:8006`, `:8007`, `:9444` | analytics | the linked `analytics` node, else left as shipped (README note) |
//! | `localhost:8443` | the node's own X509 certificate servlet | left as shipped (served by each node itself) |
//!
//! The shipped texts below are those of WSO2's puppet-open-banking templates (v1.5.x
//! `modules/obkm/templates/carbon-home/repository/conf/identity/identity.xml.erb`,
//! `.../identity/application-authentication.xml.erb`, `.../finance/open-banking.xml.erb`;
//! v2.0.x `modules/obiam/templates/carbon-home/repository/conf/UK/deployment.toml.erb`,
//! v1.5.x `modules/obam/templates/carbon-home/repository/conf/api-manager.xml.erb`); a test
//! checks each against the real files in `../shared/wso2-pack/`.

use super::flows::{linked, Addr};
use crate::model::{Design, Node, NodeKind};

/// How a value that the design does not know is written: `@@NAME@@` in XML (apply-config.py
/// fills it from the environment), `$env{NAME}` in TOML (the server resolves it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// XML fragments and text patches.
    Xml,
    /// deployment.toml values.
    Toml,
}

impl Style {
    /// The placeholder for an environment variable.
    pub fn var(self, name: &str) -> String {
        match self {
            Style::Xml => format!("@@{name}@@"),
            Style::Toml => format!("$env{{{name}}}"),
        }
    }
}

/// The hosts of a Key Manager node's world.
#[derive(Clone, Debug)]
pub struct Hosts {
    /// The public host name (the load balancer's `hostname`), when the design has one.
    pub public: Option<String>,
    /// The load balancer's front-end HTTPS port.
    pub tls_port: u32,
    /// The API Manager (gateway), when the design has one with an address.
    pub gateway: Option<String>,
    /// The linked analytics node, when there is one with an address.
    pub analytics: Option<String>,
}

/// The first usable address of the first node of a list.
fn first_address(nodes: &[&Node], d: &Design) -> Option<String> {
    nodes.iter().find_map(|n| {
        let by_name = n.str("hostname", d.product);
        if crate::model::address::is_hostname(by_name.trim()) {
            Some(by_name.trim().to_string())
        } else {
            Addr::of(n, d.product).usable().map(str::to_string)
        }
    })
}

impl Hosts {
    /// The hosts as seen from one Key Manager node: its load balancer (the first linked one,
    /// else any), the API Manager that reaches the cluster (linked to the node, to its load
    /// balancer, or any), and the analytics node linked to it.
    pub fn of(d: &Design, km: &Node) -> Hosts {
        let lbs = linked(d, km, NodeKind::LoadBalancer);
        let tls_port = lbs.first().map(|lb| lb.num("tls_port", d.product)).filter(|p| (1.0..=65535.0).contains(p));
        let ams: Vec<&Node> = d.nodes.iter().filter(|n| n.kind == NodeKind::ApiManager).collect();
        let reaching: Vec<&Node> = ams
            .iter()
            .copied()
            .filter(|am| {
                d.links.iter().any(|l| l.joins(&am.id, &km.id))
                    || lbs.iter().any(|lb| d.links.iter().any(|l| l.joins(&am.id, &lb.id)))
            })
            .collect();
        let gateway = first_address(&reaching, d).or_else(|| first_address(&ams, d));
        let analytics = first_address(&linked(d, km, NodeKind::Analytics), d);
        Hosts {
            public: super::km::public_hostname(d, km),
            tls_port: tls_port.unwrap_or(443.0) as u32,
            gateway,
            analytics,
        }
    }

    /// The public host name, or its placeholder.
    pub fn public_or(&self, style: Style) -> String {
        self.public.clone().unwrap_or_else(|| style.var("OBKM_PUBLIC_HOSTNAME"))
    }

    /// The gateway's host, or its placeholder.
    pub fn gateway_or(&self, style: Style) -> String {
        self.gateway.clone().unwrap_or_else(|| style.var("OBKM_APIM_HOST"))
    }
}

/// Ports of the API Manager's own endpoints in the shipped URLs.
const GATEWAY_PORTS: &[&str] = &["8243", "9443", "9763", "9611", "9711"];
/// Ports of analytics endpoints in the shipped URLs.
const ANALYTICS_PORTS: &[&str] = &["7612", "7712", "8006", "8007", "9444"];

/// The shipped text with every `localhost` pointed at the host the table above gives.
pub fn retarget(shipped: &str, hosts: &Hosts, style: Style) -> String {
    if shipped.trim() == "localhost" {
        return shipped.replace("localhost", &hosts.gateway_or(style));
    }
    let mut out = String::with_capacity(shipped.len() + 32);
    let mut rest = shipped;
    while let Some(at) = rest.find("localhost") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "localhost".len()..];
        let port: String =
            after.strip_prefix(':').map(|p| p.chars().take_while(char::is_ascii_digit).collect()).unwrap_or_default();
        let (host, skip) = if port == "9446" {
            (format!("{}:{}", hosts.public_or(style), hosts.tls_port), 1 + port.len())
        } else if after.starts_with(":${carbon.management.port}") {
            (hosts.public_or(style), 0)
        } else if GATEWAY_PORTS.contains(&port.as_str()) {
            (hosts.gateway_or(style), 0)
        } else if ANALYTICS_PORTS.contains(&port.as_str()) {
            (hosts.analytics.clone().unwrap_or_else(|| "localhost".into()), 0)
        } else {
            ("localhost".into(), 0)
        };
        out.push_str(&host);
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

/// A host-bearing XML element of a shipped file: (file under the pack, selector, shipped text).
pub type XmlSetting = (&'static str, &'static str, &'static str);

const IDENTITY: &str = "repository/conf/identity/identity.xml";
const AUTHN: &str = "repository/conf/identity/application-authentication.xml";
const OPEN_BANKING: &str = "repository/conf/finance/open-banking.xml";

/// Every host-bearing element of OB KM 1.5's identity.xml, application-authentication.xml and
/// open-banking.xml (the `commonAuthId` cookie is commented out in the shipped identity.xml,
/// so it stays as shipped: the cookie is then host-only, on the public host name).
pub const KM_XML: &[XmlSetting] = &[
    (IDENTITY, "/Server/OAuth/OAuth2AuthzEPUrl", "${carbon.protocol}://localhost:8243/authorize"),
    (IDENTITY, "/Server/OAuth/OAuth2TokenEPUrl", "${carbon.protocol}://localhost:8243/token"),
    (IDENTITY, "/Server/OAuth/OAuth2UserInfoEPUrl", "${carbon.protocol}://localhost:8243/userinfo"),
    (
        IDENTITY,
        "/Server/OAuth/OAuth2ConsentPage",
        "${carbon.protocol}://localhost:${carbon.management.port}/ob/authenticationendpoint/oauth2_authz.do",
    ),
    (
        IDENTITY,
        "/Server/OAuth/OAuth2ErrorPage",
        "${carbon.protocol}://localhost:${carbon.management.port}/authenticationendpoint/oauth2_error.do",
    ),
    (
        IDENTITY,
        "/Server/OAuth/OIDCConsentPage",
        "${carbon.protocol}://localhost:${carbon.management.port}/ob/authenticationendpoint/oauth2_consent.do",
    ),
    (
        IDENTITY,
        "/Server/OAuth/OIDCLogoutConsentPage",
        "${carbon.protocol}://localhost:${carbon.management.port}/authenticationendpoint/oauth2_logout_consent.do",
    ),
    (
        IDENTITY,
        "/Server/OAuth/OIDCLogoutPage",
        "${carbon.protocol}://localhost:${carbon.management.port}/authenticationendpoint/oauth2_logout.do",
    ),
    (
        IDENTITY,
        "/Server/OAuth/OIDCWebFingerEPUrl",
        "${carbon.protocol}://localhost:${carbon.management.port}/.well-known/webfinger",
    ),
    (IDENTITY, "/Server/OAuth/OAuth2DCREPUrl", "${carbon.protocol}://localhost:8243/register"),
    (
        IDENTITY,
        "/Server/OAuth/OIDCDiscoveryEPUrl",
        "${carbon.protocol}://localhost:${carbon.management.port}/oauth2/oidcdiscovery",
    ),
    (IDENTITY, "/Server/OAuth/OpenIDConnect/IDTokenIssuerID", "https://localhost:8243/token"),
    (IDENTITY, "/Server/AdaptiveAuth/EventPublisher/ReceiverURL", "http://localhost:8006/"),
    (AUTHN, "/ApplicationAuthentication/AuthenticationEndpointURL", "https://localhost:9446/authenticationendpoint/login.do"),
    (
        AUTHN,
        "/ApplicationAuthentication/AuthenticationEndpointRetryURL",
        "https://localhost:9446/authenticationendpoint/retry.do",
    ),
    (
        AUTHN,
        "/ApplicationAuthentication/AuthenticatorConfigs/AuthenticatorConfig[@name='SMSOTP']/Parameter[@name='SMSOTPAuthenticationEndpointURL']",
        "https://localhost:9446/smsotpauthenticationendpoint/smsotp.jsp",
    ),
    (
        AUTHN,
        "/ApplicationAuthentication/AuthenticatorConfigs/AuthenticatorConfig[@name='SMSOTP']/Parameter[@name='SMSOTPAuthenticationEndpointErrorPage']",
        "https://localhost:9446/smsotpauthenticationendpoint/smsotpError.jsp",
    ),
    (
        AUTHN,
        "/ApplicationAuthentication/AuthenticatorConfigs/AuthenticatorConfig[@name='SMSOTP']/Parameter[@name='MobileNumberRegPage']",
        "https://localhost:9446/smsotpauthenticationendpoint/mobile.jsp",
    ),
    (OPEN_BANKING, "/Server/EventNotifications/NotificationAPIUrl", "https://localhost:8243/open-banking/v3.1/event-notification"),
    (
        OPEN_BANKING,
        "/Server/PayableAccountsRetrieveEndpoint",
        "http://localhost:9763/open-banking/services/bankaccounts/bankaccountservice/payable-accounts",
    ),
    (
        OPEN_BANKING,
        "/Server/SharableAccountsRetrieveEndpoint",
        "http://localhost:9763/open-banking/services/bankaccounts/bankaccountservice/sharable-accounts",
    ),
    (OPEN_BANKING, "/Server/Berlin/SCA/OAuthMetadataEndpoint", "https://localhost:8243/.well-known/openid-configuration"),
    (OPEN_BANKING, "/Server/Berlin/SCA/UpdatePSUIdentification", "https://localhost:9446"),
    (OPEN_BANKING, "/Server/Berlin/SCA/UpdatePSUAuthentication", "https://localhost:9446"),
    (OPEN_BANKING, "/Server/Berlin/SCA/SelectAuthenticationMethod", "https://localhost:9446"),
    (OPEN_BANKING, "/Server/Berlin/SCA/AuthorizeTransaction", "https://localhost:9446"),
    (
        OPEN_BANKING,
        "/Server/Berlin/AccountsRetrieveEndpoint",
        "https://localhost:9443/open-banking-berlin/services/accounts/accounts",
    ),
    (OPEN_BANKING, "/Server/Berlin/AccountConsentSelfLink", "https://localhost:8243/xs2a/1.3.3/consents/%s"),
    (OPEN_BANKING, "/Server/Berlin/PaymentResourceSelfLink", "https://localhost:8243/xs2a/1.3.3/%s/%s/%s"),
    (OPEN_BANKING, "/Server/Berlin/Host", "localhost"),
    (OPEN_BANKING, "/Server/UK/PaymentAPIURL", "https://localhost:8243/open-banking/{version}/pisp/"),
    (OPEN_BANKING, "/Server/UK/AccountAPIURL", "https://localhost:8243/open-banking/{version}/aisp/"),
    (OPEN_BANKING, "/Server/UK/FundsConfirmationAPIURL", "https://localhost:8243/open-banking/{version}/cbpii/"),
    (
        OPEN_BANKING,
        "/Server/AU/MetaDataCache/DCRInternalURL",
        "https://localhost:9443/dynamic-client-registration/common/register/",
    ),
    (OPEN_BANKING, "/Server/STET/Host", "localhost"),
    (OPEN_BANKING, "/Server/STET/SCA/AuthorizationEndpoint", "https://localhost:8243/authorize"),
    (
        OPEN_BANKING,
        "/Server/STET/AccountsRetrieveEndpoint",
        "http://localhost:9763/open-banking/services/bankaccounts/bankaccountservice/payable-accounts",
    ),
    (OPEN_BANKING, "/Server/BIServer/DataPublishing/ServerURL", "{tcp://localhost:7612}"),
    (
        OPEN_BANKING,
        "/Server/BIServer/TRA/Receivers/TRAAccountValidationURL",
        "http://localhost:8007/TRAAccountValidationApp/TRAValidationStream",
    ),
    (
        OPEN_BANKING,
        "/Server/BIServer/TRA/Receivers/TRAPaymentValidationURL",
        "http://localhost:8007/TRAPaymentValidationApp/TRAValidationStream",
    ),
    (
        OPEN_BANKING,
        "/Server/BIServer/FraudDetection/Receivers/FraudDetectionURL",
        "http://localhost:8007/FraudDetectionApp/FraudDetectionStream",
    ),
    (
        OPEN_BANKING,
        "/Server/BIServer/FraudDetection/Receivers/InvalidSubmissionURL",
        "http://localhost:8006/InvalidSubmissionsApp/InvalidSubmissionsStream",
    ),
];

/// The API Manager's settings that name the Key Manager (OB AM 1.5's api-manager.xml): each
/// points at the Key Manager's load balancer, `https://<public host>:<tls_port>/services/`.
pub const AM_XML: &[XmlSetting] = &[
    (
        "repository/conf/api-manager.xml",
        "/APIManager/AuthManager/ServerURL",
        "https://localhost:9446${carbon.context}services/",
    ),
    (
        "repository/conf/api-manager.xml",
        "/APIManager/APIKeyValidator/ServerURL",
        "https://localhost:9446${carbon.context}services/",
    ),
    (
        "repository/conf/api-manager.xml",
        "/APIManager/APIKeyManager/Configuration/ServerURL",
        "https://localhost:9446${carbon.context}services/",
    ),
];

/// A host-bearing key of OB IAM 2.0's deployment.toml: (table, array-of-tables match as
/// (key, value), key, shipped value: one string, or several for an array).
pub type TomlSetting = (&'static str, Option<(&'static str, &'static str)>, &'static str, &'static [&'static str]);

/// Every host-bearing key of the shipped deployment.toml but `[server] hostname` (which the
/// design sets directly).
pub const IAM_TOML: &[TomlSetting] = &[
    ("authentication.endpoints", None, "login_url", &["https://localhost:9446/authenticationendpoint/login.do"]),
    ("authentication.endpoints", None, "retry_url", &["https://localhost:9446/authenticationendpoint/retry.do"]),
    ("apim.gateway.environment", Some(("name", "Production and Sandbox")), "service_url", &["https://localhost:9443/services/"]),
    ("apim.throttling.url_group", Some(("type", "loadbalance")), "traffic_manager_urls", &["tcp://localhost:9611"]),
    ("apim.throttling.url_group", Some(("type", "loadbalance")), "traffic_manager_auth_urls", &["ssl://localhost:9711"]),
    ("oauth.endpoints", None, "oauth2_authz_url", &["${carbon.protocol}://localhost:8243/authorize"]),
    ("oauth.endpoints", None, "oauth2_token_url", &["${carbon.protocol}://localhost:8243/token"]),
    ("oauth.endpoints", None, "oauth2_user_info_url", &["${carbon.protocol}://localhost:8243/userinfo"]),
    (
        "oauth.endpoints",
        None,
        "oauth2_consent_page",
        &["${carbon.protocol}://localhost:${carbon.management.port}/ob/authenticationendpoint/oauth2_authz.do"],
    ),
    (
        "oauth.endpoints",
        None,
        "oidc_consent_page",
        &["${carbon.protocol}://localhost:${carbon.management.port}/ob/authenticationendpoint/oauth2_consent.do"],
    ),
    ("oauth.endpoints", None, "oauth2_dcr_url", &["${carbon.protocol}://localhost:8243/register"]),
    ("oauth.oidc", None, "id_token.issuer", &["https://localhost:8243/token"]),
    ("authentication.adaptive.event_publisher", None, "url", &["http://localhost:8006/"]),
    (
        "open_banking",
        None,
        "payable_accounts_retrieve_endpoint",
        &["http://localhost:9763/api/openbanking/backend-uk/services/bankaccounts/bankaccountservice/payable-accounts"],
    ),
    (
        "open_banking",
        None,
        "sharable_accounts_retrieve_endpoint",
        &["http://localhost:9763/api/openbanking/backend-uk/services/bankaccounts/bankaccountservice/sharable-accounts"],
    ),
    ("open_banking.event_notifications", None, "api_url", &["https://localhost:8243/open-banking/v3.1/event-notification"]),
    ("open_banking.uk", None, "payment_api_url", &["https://localhost:8243/open-banking/{version}/pisp/"]),
    ("open_banking.uk", None, "account_api_url", &["https://localhost:8243/open-banking/{version}/aisp/"]),
    ("open_banking.uk", None, "funds_confirmation_api_url", &["https://localhost:8243/open-banking/{version}/cbpii/"]),
    ("open_banking.bi_server.data_publishing", None, "server_url", &["{tcp://localhost:7612}"]),
    (
        "open_banking.bi_server.tra.receivers",
        None,
        "account_validation_url",
        &["http://localhost:8007/TRAAccountValidationApp/TRAValidationStream"],
    ),
    (
        "open_banking.bi_server.tra.receivers",
        None,
        "payment_validation_url",
        &["http://localhost:8007/TRAPaymentValidationApp/TRAValidationStream"],
    ),
    (
        "open_banking.bi_server.fraud_detection.receivers",
        None,
        "fraud_detection_url",
        &["http://localhost:8007/FraudDetectionApp/FraudDetectionStream"],
    ),
    (
        "open_banking.bi_server.fraud_detection.receivers",
        None,
        "invalid_submission_url",
        &["http://localhost:8006/InvalidSubmissionsApp/InvalidSubmissionsStream"],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(analytics: bool) -> Hosts {
        Hosts {
            public: Some("km.bank.example".into()),
            tls_port: 443,
            gateway: Some("am.bank.internal".into()),
            analytics: analytics.then(|| "10.0.2.30".to_string()),
        }
    }

    #[test]
    fn every_port_goes_where_the_table_says() {
        let h = hosts(true);
        let r = |s: &str| retarget(s, &h, Style::Xml);
        assert_eq!(
            r("https://localhost:9446/authenticationendpoint/login.do"),
            "https://km.bank.example:443/authenticationendpoint/login.do"
        );
        assert_eq!(r("https://localhost:9446"), "https://km.bank.example:443");
        assert_eq!(
            r("${carbon.protocol}://localhost:${carbon.management.port}/x"),
            "${carbon.protocol}://km.bank.example:${carbon.management.port}/x"
        );
        assert_eq!(r("${carbon.protocol}://localhost:8243/token"), "${carbon.protocol}://am.bank.internal:8243/token");
        assert_eq!(r("tcp://localhost:9611"), "tcp://am.bank.internal:9611");
        assert_eq!(r("localhost"), "am.bank.internal");
        assert_eq!(r("{tcp://localhost:7612}"), "{tcp://10.0.2.30:7612}");
        assert_eq!(
            r("https://localhost:8443/x509-certificate-servlet"),
            "https://localhost:8443/x509-certificate-servlet"
        );
        let none = Hosts { public: None, tls_port: 8443, gateway: None, analytics: None };
        assert_eq!(retarget("https://localhost:9446", &none, Style::Toml), "https://$env{OBKM_PUBLIC_HOSTNAME}:8443");
        assert_eq!(retarget("localhost", &none, Style::Xml), "@@OBKM_APIM_HOST@@");
        assert_eq!(retarget("http://localhost:8006/", &none, Style::Xml), "http://localhost:8006/");
    }
}
