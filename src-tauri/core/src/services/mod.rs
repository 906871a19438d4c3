//! One module per capability, each over the typed handles of `db`.

pub mod browse;
pub mod dashboard;
pub mod documents;
pub mod export;
pub mod gdpr;
pub mod index_fix;
pub mod index_health;
pub mod keyset;
pub mod notifications;
pub mod overview;
pub mod plugins;
pub mod repairs;
pub mod seed;
pub mod settings;
pub mod table_export;
pub mod topology;
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

    /// Every sort the users list offers, in both directions, exactly as the
    /// list sends it: `indexed()` (which decides the "sorted in memory"
    /// note and disk use) says whether `_id` or a required index serves it,
    /// and a sort that none serves has a suggested index that does.
    #[test]
    fn every_offered_users_sort_is_judged_on_the_sort_it_sends() {
        use crate::schema::{RequiredIndex, REQUIRED_INDEXES, SUGGESTED_INDEXES, USERS};
        use crate::services::users::{UserQuery, UserSortField};

        fn offered(field: UserSortField) -> UserSortField {
            // Exhaustive: a new sort must be added to the list below.
            match field {
                UserSortField::Joined
                | UserSortField::CreatedAt
                | UserSortField::LastLogin
                | UserSortField::Email => field,
            }
        }
        let serves = |keys: &[(&str, i32)], sort: &[(String, i32)]| {
            let sort: Vec<(&str, i32)> = sort.iter().map(|(k, d)| (k.as_str(), *d)).collect();
            RequiredIndex::serves(keys, &[], &sort)
        };
        for field in [
            UserSortField::Email,
            UserSortField::Joined,
            UserSortField::CreatedAt,
            UserSortField::LastLogin,
        ]
        .map(offered)
        {
            for descending in [true, false] {
                let query = UserQuery {
                    sort: field,
                    descending,
                    ..UserQuery::default()
                };
                let sort: Vec<(String, i32)> = query
                    .sort()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_i32().expect("a sort direction")))
                    .collect();
                let by_required = serves(&[("_id", 1)], &sort)
                    || REQUIRED_INDEXES
                        .iter()
                        .filter(|r| r.applies_to(USERS, |_| false))
                        .any(|r| serves(r.keys, &sort));
                assert_eq!(
                    field.indexed(),
                    by_required,
                    "{field:?} descending={descending}: sends {sort:?}"
                );
                if !by_required {
                    assert!(
                        SUGGESTED_INDEXES
                            .iter()
                            .filter(|r| r.applies_to(USERS, |_| false))
                            .any(|r| serves(r.keys, &sort)),
                        "{field:?} descending={descending}: no suggestion serves {sort:?}"
                    );
                }
            }
        }
    }
}
