//! One request as RBAC sees it: the attributes the authorizer is asked
//! about, taken from an audit event.

use std::fmt;

/// What a request was about: a resource (in a namespace or cluster-wide),
/// or a non-resource URL such as `/healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Resource {
        /// Empty for cluster-scoped resources, and for requests across all
        /// namespaces (`kubectl get pods -A`).
        namespace: String,
        /// Empty for the core group.
        api_group: String,
        resource: String,
        subresource: String,
        /// Empty when the request names no object (create, list, watch of a
        /// collection, deletecollection).
        name: String,
    },
    NonResource {
        /// The request path, without the query string.
        path: String,
    },
}

/// A request: a verb and what it was about. Every request of one key is the
/// same question to the authorizer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Request {
    pub verb: String,
    pub target: Target,
}

impl Request {
    pub fn resource(
        verb: &str,
        namespace: &str,
        api_group: &str,
        resource: &str,
        subresource: &str,
        name: &str,
    ) -> Request {
        Request {
            verb: verb.to_string(),
            target: Target::Resource {
                namespace: namespace.to_string(),
                api_group: api_group.to_string(),
                resource: resource.to_string(),
                subresource: subresource.to_string(),
                name: name.to_string(),
            },
        }
    }

    pub fn non_resource(verb: &str, path: &str) -> Request {
        Request {
            verb: verb.to_string(),
            target: Target::NonResource {
                path: path.to_string(),
            },
        }
    }

    /// The namespace a resource request was in (empty: none).
    pub fn namespace(&self) -> &str {
        match &self.target {
            Target::Resource { namespace, .. } => namespace,
            Target::NonResource { .. } => "",
        }
    }
}

/// `resource` or `resource/subresource`, as RBAC rules spell it.
pub fn combined(resource: &str, subresource: &str) -> String {
    if subresource.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}/{subresource}")
    }
}

/// `get pods/log "web-1" in "shop"`, `get /healthz`: for tables and notes.
impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::NonResource { path } => write!(f, "{} {path}", self.verb),
            Target::Resource {
                namespace,
                api_group,
                resource,
                subresource,
                name,
            } => {
                write!(f, "{} {}", self.verb, combined(resource, subresource))?;
                if !api_group.is_empty() {
                    write!(f, ".{api_group}")?;
                }
                if !name.is_empty() {
                    write!(f, " {name:?}")?;
                }
                if !namespace.is_empty() {
                    write!(f, " in {namespace:?}")?;
                }
                Ok(())
            }
        }
    }
}
