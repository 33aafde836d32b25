//! Two applies at once on the same emulator file: the second waits for the first's
//! lock (saying so), then plans against what the first applied, so neither fails
//! with "already exists" and the final plan is empty. Repeated, since a race that
//! is lost only sometimes must still never be lost.

mod common;

use common::TempProject;

#[test]
fn concurrent_applies_on_one_emulator_file_never_interleave() {
    for round in 0..3 {
        let project = TempProject::new();
        let dir = project.root.to_str().unwrap().to_string();
        // Both start while the lock is held, so both wait and then race for it.
        let held = floe::runtime::lock::lock_emulator(
            &project.emulator_db(),
            std::time::Duration::ZERO,
            |_| {},
        )
        .expect("the lock is free");
        let outcomes: Vec<(i32, String, String)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|_| s.spawn(|| project.floe(&["apply", &dir, "--auto-approve"])))
                .collect();
            std::thread::sleep(std::time::Duration::from_secs(3));
            drop(held);
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (code, stdout, stderr) in &outcomes {
            assert!(
                !stderr.contains("already exists"),
                "round {round}: the applies interleaved\n{stdout}\n{stderr}"
            );
            assert_eq!(*code, 0, "round {round}:\n{stdout}\n{stderr}");
        }
        // One of them created everything; the other found nothing left to do.
        let created: Vec<bool> = outcomes
            .iter()
            .map(|(_, stdout, _)| stdout.contains("Apply complete"))
            .collect();
        assert_eq!(
            created.iter().filter(|c| **c).count(),
            1,
            "round {round}: {outcomes:#?}"
        );
        for (_, _, stderr) in &outcomes {
            assert!(
                stderr.contains("waiting for another apply on"),
                "round {round}: says why it waits\n{stderr}"
            );
        }
        let quiet = outcomes
            .iter()
            .any(|(_, stdout, _)| stdout.contains("No changes"));
        assert!(
            quiet,
            "round {round}: the second apply saw the first's work"
        );
        let again = project.floe_ok(&["plan", &dir, "--detailed-exitcode"], 0);
        assert!(again.contains("No changes"), "round {round}: {again}");
    }
}

#[test]
fn a_held_lock_makes_apply_fail_clearly_after_the_timeout() {
    let project = TempProject::new();
    let dir = project.root.to_str().unwrap();
    let db = project.emulator_db();
    let _held = floe::runtime::lock::lock_emulator(&db, std::time::Duration::ZERO, |_| {})
        .expect("the lock is free");
    let (code, stdout, stderr) =
        project.floe(&["apply", dir, "--auto-approve", "--lock-timeout", "1"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stderr.contains("waiting for another apply on"), "{stderr}");
    assert!(
        stderr.contains("another apply on") && stderr.contains("--lock-timeout"),
        "{stderr}"
    );
    assert!(!stdout.contains("Apply complete"), "{stdout}");
    drop(_held);
    project.floe_ok(&["plan", dir, "--detailed-exitcode"], 2);
}
