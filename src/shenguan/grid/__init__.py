"""Grid management: events reported by grid workers, routing, closure and feedback; filing on behalf of residents (代办)."""
