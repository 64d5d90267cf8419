package synth

// The vocabulary the generator draws from. A few entries in each list carry
// non-ASCII text (é, ü, ß, ø, Chinese, emoji) so that every output path that
// escapes, folds or counts bytes is exercised.

var topics = []string{
	"Machine Learning", "Distributed Systems", "Compilers", "Databases", "Security", "Cryptography",
	"Networking", "Operating Systems", "Programming Languages", "Observability", "Cloud Infrastructure",
	"Data Engineering", "Accessibility", "Design Systems", "Mobile", "Embedded", "Robotics",
	"Computer Vision", "Natural Language", "Privacy", "Open Source", "Education", "Ethics",
	"Energy", "Climate", "Health", "Finance", "Public Sector", "Testing", "Performance",
	"Developer Experience", "Web Platform", "Graphics", "Audio", "Quantum Computing", "HPC",
	"Formal Methods", "Type Systems", "Storage", "Search", "Recommendation", "Geospatial",
	"Scientific Computing", "Bioinformatics", "Hardware", "Sustainability", "Community",
	"Documentation", "Release Engineering", "Incident Response",
	// Non-ASCII names.
	"Données & Société", "Künstliche Intelligenz", "Große Sprachmodelle", "Økonomi og data",
	"人工智能", "Open Hardware 🛠️", "Sécurité des systèmes", "Städte und Mobilität",
}

var adjectives = []string{
	"scalable", "resilient", "practical", "incremental", "secure", "observable", "reproducible",
	"portable", "efficient", "robust", "declarative", "concurrent", "federated", "minimal",
	"accessible", "sustainable", "verifiable", "interactive", "adaptive", "lightweight",
	"privacy-preserving", "fault-tolerant", "low-latency", "open", "modern", "legacy",
}

var nouns = []string{
	"pipelines", "schedulers", "compilers", "runtimes", "caches", "queues", "indexes", "models",
	"protocols", "APIs", "dashboards", "benchmarks", "workflows", "interfaces", "kernels",
	"parsers", "storage engines", "feature stores", "build systems", "package managers",
	"type checkers", "query planners", "load balancers", "service meshes", "data lakes",
	"test suites", "deployments", "clusters", "agents", "embeddings", "simulations",
}

var verbs = []string{
	"explores", "presents", "compares", "revisits", "measures", "explains", "demonstrates",
	"questions", "summarises", "walks through", "introduces", "evaluates", "reports on",
	"dissects", "reconsiders",
}

var contexts = []string{
	"in production", "at scale", "on a budget", "in regulated industries", "across teams",
	"for small organisations", "in the public sector", "under real-world constraints",
	"on commodity hardware", "in the browser", "at the edge", "in research labs",
	"with a team of three", "over ten years", "after a major outage", "in a monorepo",
	"in Zürich and München", "à la française", "für große Teams", "i København", "在中国",
}

var titleForms = []string{
	"%[1]s %[2]s %[3]s",
	"Building %[1]s %[2]s %[3]s",
	"Lessons from %[4]d years of %[2]s",
	"%[5]s: %[1]s %[2]s %[3]s",
	"Why %[2]s fail, and how to make them %[1]s",
	"From prototype to %[1]s %[2]s",
	"A field guide to %[1]s %[2]s",
	"%[5]s in practice: %[2]s %[3]s",
	"Rethinking %[2]s for %[5]s",
	"What we learned running %[2]s %[3]s",
}

// nonASCIITitleWords are mixed into some titles.
var nonASCIITitleWords = []string{
	"— café edition", "(Übersicht)", "für Anfänger", "straße to production", "med øl og data",
	"— 人工智能 perspective", "🚀", "✨ live demo", "naïve approaches", "à la carte",
	"über alles", "Grüße aus Köln", "Ørestad case study", "— 数据 pipelines", "🔐",
}

var sentenceForms = []string{
	"This session %[1]s %[2]s %[3]s %[4]s.",
	"The talk %[1]s how %[2]s %[3]s behave %[4]s, with measurements from several deployments.",
	"We start from first principles and build up to %[2]s %[3]s that hold up %[4]s.",
	"Expect concrete examples, a short live demonstration and time for questions about %[3]s.",
	"Along the way the talk %[1]s the trade-offs between %[2]s and simpler %[3]s.",
	"Attendees will leave with a checklist for %[2]s %[3]s they can apply %[4]s.",
	"The material assumes familiarity with %[3]s but no prior experience %[4]s.",
	"Case studies cover failures as well as successes, because the failures teach more about %[3]s.",
	"Slides, code and data will be published after the session.",
	"The second half is a discussion of open problems in %[2]s %[3]s.",
}

var firstNames = []string{
	"Alice", "Bruno", "Chloé", "David", "Emma", "François", "Gabriel", "Hélène", "Inès", "Jürgen",
	"Karin", "Léa", "Marco", "Nadia", "Olivier", "Paula", "Quentin", "Rosa", "Søren", "Thomas",
	"Uma", "Victor", "Wiebke", "Xavier", "Yasmine", "Zoë", "Amélie", "Björn", "Céline", "Dagný",
	"Élodie", "Fatima", "Grégoire", "Hannah", "Ioana", "Jonas", "Kenji", "Lucía", "Mathéo", "Nils",
	"Oksana", "Priya", "Raphaël", "Sven", "Tomás", "Ulrike", "Wei", "Yuki", "Åsa", "Ørjan",
}

var lastNames = []string{
	"Martin", "Bernard", "Dubois", "Müller", "Schmidt", "Weiß", "Groß", "Jørgensen", "Sørensen",
	"Lefèvre", "García", "Rossi", "Nowak", "Novák", "Kowalski", "Andersen", "Hansen", "Larsen",
	"Dupré", "Fontaine", "Köhler", "Schäfer", "Brandt", "Nguyen", "Tanaka", "Kim", "Okafor",
	"Mensah", "Silva", "Costa", "O'Brien", "Murphy", "Walsh", "Petit", "Roux", "Mercier",
	"Strauß", "Bäcker", "Lindqvist", "Håkansson", "Ødegaard", "Évrard",
}

// chineseNames are whole names, given as written.
var chineseNames = []string{"李娜", "王伟", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"}

var organisations = []string{
	"Inria", "CNRS", "ETH Zürich", "TU München", "DTU", "Université Paris-Saclay", "Sorbonne Université",
	"Universität Wien", "KTH", "Aalto University", "EPFL", "Fraunhofer", "CERN", "Mozilla",
	"Wikimedia", "OpenStreetMap", "Øresund Labs", "Straßenbahn Analytics GmbH", "清华大学",
	"Independent", "Café Numérique", "Nordisk Data ApS", "Ville de Paris", "Deutsche Bahn",
}

var venuePrefixes = []string{"Centre", "Palais", "Maison", "Halle", "Espace", "Théâtre", "Pavillon", "Campus", "Forum", "Atelier"}

var venueNames = []string{
	"Curie", "Ampère", "Pasteur", "Lovelace", "Turing", "Noether", "Hopper", "Gödel", "Fourier",
	"Lamarr", "Hamilton", "Kovalevskaya", "Descartes", "Pascal", "Lagrange", "Poincaré", "Hilbert",
	"Euler", "Gauß", "Bohr", "Meitner", "Franklin", "Shannon", "Dijkstra", "Knuth",
}

var roomNames = []string{
	"Auditorium", "Amphithéâtre", "Salle", "Studio", "Room", "Lab", "Forum", "Galerie", "Hörsaal", "Salon",
}

var streets = []string{
	"rue de Rivoli", "boulevard Saint-Germain", "avenue des Gobelins", "rue du Faubourg Saint-Antoine",
	"quai de la Gare", "rue Mouffetard", "avenue de Clichy", "rue de Ménilmontant", "boulevard Voltaire",
	"rue Lecourbe", "avenue d'Italie", "rue de Bercy",
}

var sessionTypes = []string{"talk", "talk", "talk", "talk", "workshop", "panel", "keynote", "lightning", "tutorial", "bof"}

var tagWords = []string{
	"beginner", "advanced", "hands-on", "research", "industry", "live-demo", "case-study",
	"recorded", "interpretation", "hybrid", "café-débat", "für-alle", "开放",
}
