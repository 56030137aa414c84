use std::hint::black_box;
use waxseal::flask::json as flask_json;
fn main() {
    let s = r#"{"_flashes":[{" t":["message","Welcome back"]}],"_fresh":true,"_user_id":"1042","csrf_token":"9f86d081884c7d65"}"#;
    let n = 2_000_000;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        for _ in 0..n { black_box(flask_json::loads(black_box(s)).ok()); }
        println!("{:.0} ns", t.elapsed().as_nanos() as f64 / n as f64);
    }
}
