//! One module per capability, each over the typed handles of `db`.

pub mod dashboard;
pub mod gdpr;
pub mod index_fix;
pub mod index_health;
pub mod keyset;
pub mod notifications;
pub mod overview;
pub mod plugins;
pub mod seed;
pub mod settings;
pub mod user360;
pub mod users;

/// Every view the app opens by default is served by `_id` or by an index
/// of the platform's required set, so it stays fast on a million users.
#[cfg(test)]
mod default_views {
    use crate::schema::QueryShape;

    #[test]
    fn are_served_by_a_required_index() {
        let settings = QueryShape {
            collection: crate::schema::SETTINGS,
            equality: &["user_id"],
            sort: &[],
        };
        let plugin_data = QueryShape {
            collection: "task_manager_tasks",
            equality: &["user_id"],
            sort: &[],
        };
        for view in [
            super::users::DEFAULT_VIEW,
            super::users::SEARCH_VIEW,
            super::user360::NOTIFICATIONS_VIEW,
            super::notifications::FEED_VIEW,
            settings,
            plugin_data,
        ] {
            assert!(view.is_index_served(|_| false), "{view:?}");
        }
        let by_created_at = QueryShape {
            collection: crate::schema::USERS,
            equality: &[],
            sort: &[("created_at", -1)],
        };
        assert!(
            !by_created_at.is_index_served(|_| false),
            "the old default was not"
        );
    }
}
