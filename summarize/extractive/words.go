package extractive

import (
	"strings"
)

func xtrSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

var (
	xtrTitles = xtrSet("president presidents prime minister ministers foreign defense defence interior finance " +
		"secretary chancellor spokesman spokeswoman spokesperson envoy senator sen rep gov governor " +
		"king queen prince princess general gen mr mrs ms dr prof chief director chairman chairwoman " +
		"chair ceo ambassador vice deputy premier mayor judge justice pope sheikh lord sir dame " +
		"commissioner speaker leader senior former acting state national security adviser advisor " +
		"head special representative colonel admiral lieutenant captain sergeant officer lt sgt capt col maj cpl")
	xtrNationalities = xtrSet("american british french dutch german greek swiss thai irish israeli iraqi " +
		"saudi pakistani afghan turkish polish czech chinese japanese u.s. us u.k. uk western eastern " +
		"european african asian arab nordic baltic")
	xtrConnectors = xtrSet("of for de del da la le von van der den al bin ibn and")
	xtrPlaces     = xtrSet("in at near inside outside across throughout around into toward towards")
	xtrSpeech     = xtrSet("said says told tells wrote writes added adds stated noted warned argued " +
		"explained asked declared announced posted tweeted according")
	// xtrMonthAbbrevs are the abbreviations of month and weekday names
	// (dates, never actors).
	xtrMonthAbbrevs = xtrSet("jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun")
	// xtrPlaceAbbrevs are postal-style abbreviations written after a city
	// name in datelines ("Washington, D.C.", "Boston, Mass."): places.
	xtrPlaceAbbrevs = xtrSet("d.c dc ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev n.h n.j n.m n.y n.c n.d okla ore pa r.i s.c s.d tenn tex va vt wash wis wyo")
	xtrPronouns     = xtrSet("he she it they")
	xtrArticles     = xtrSet("the a an") // never part of an actor's name: "The Red Cross" is "Red Cross"
	xtrNotNames     = xtrSet("monday tuesday wednesday thursday friday saturday sunday january february " +
		"march april may june july august september october november december i i'm i've i'd i'll " +
		"i’m i’ve i’d i’ll we you he she it " +
		"they the a an this that these those but and or however today yesterday tomorrow " +
		"unfortunately meanwhile")
	xtrStopwords = xtrSet("a about above after again against all also am an and any are aren't as at " +
		"be because been before being below between both but by can could couldn't did didn't do " +
		"does doesn't doing don't down during each even ever every few for from further get gets got " +
		"had hadn't has hasn't have haven't having he her here hers herself him himself his how i if " +
		"in into is isn't it it's its itself just least less let like made make makes many may me " +
		"might more most much must my myself near never new next no nor not now of off often on once " +
		"one only or other others our ours ourselves out over own part per rather same says said see " +
		"seen several shall she should shouldn't since so some still such than that that's the their " +
		"theirs them themselves then there there's these they they're this those though through thus " +
		"to too under until up upon us very via was wasn't way we well were weren't what when where " +
		"whether which while who whom whose why will with within without won't would wouldn't yet you " +
		"your yours yourself two three four five six seven eight nine ten first second third last " +
		"year years month months week weeks day days time times today yesterday tomorrow people " +
		"percent according including told tell tells added also around another among back because " +
		"call called come came going goes told took take takes taken want wanted wants way ways " +
		"thing things something nothing everything anyone someone lot lots really already however " +
		"meanwhile later earlier recently instead statement statements report reports reported " +
		"official officials news side sides")
)

// xtrIrregularPast are common irregular past forms of verbs of acting and
// saying in news English.
var xtrIrregularPast = xtrSet("said told won lost made took gave met sent saw set put led left held struck " +
	"sought fought began went came brought bought sold paid spoke wrote broke chose rose fell hit " +
	"ran quit kept got had did was were")

// xtrOrgHeads end the names of organisations, institutions and buildings
// ("Premier League", "Labour Party", "Indiana Statehouse"): such a name is
// never shortened to its last word as a person's is.
var xtrOrgHeads = xtrSet("league association party union council committee court department ministry " +
	"office agency university college school bank group company corporation corp inc ltd airlines " +
	"times news post journal house statehouse senate assembly parliament congress commission " +
	"authority service services institute foundation fund club team forces army navy police " +
	"administration government organisation organization network center centre hospital")

var (
	// xtrObjectStarts begin the object or complement of a verb of saying
	// or accusing ("accused him of", "alleged that", "denied the claim"):
	// pronouns, determiners, complementisers and prepositions.
	xtrObjectStarts = xtrSet("that of in on to at by for the a an any his her its their our my him them it " +
		"us me this these those having being what")
	// xtrWithheld are what "denied" withholds rather than contests.
	xtrWithheld = xtrSet("access entry bail permission visa visas passage")
	// xtrDefendedThings are what is defended in sport or war, not against
	// criticism.
	xtrDefendedThings = xtrSet("champion champions title titles crown goal line lines position positions")
)

// xtrJointWords name several parties acting together or an act between
// parties: a pledge or plan made with them is an agreement.
var xtrJointWords = xtrSet("both two jointly together mutual mutually sides parties leaders presidents " +
	"nations countries governments talks negotiations summit allies signatories")

// xtrWireServices are the news agencies whose names stand in datelines and
// attributions ("told Reuters", "AFP reported"): sources, not actors.
// Things and occasions that are named like parties but never act (see
// xtrActorName).
var (
	xtrCelestial = xtrSet("sun moon mercury venus earth mars jupiter saturn uranus neptune pluto ceres " +
		"europa io ganymede callisto titan enceladus triton charon phobos deimos")
	xtrEventHeads = xtrSet("day cup prix slam friday monday christmas easter festival olympics " +
		"championship championships final finals tournament open awards award marathon expo fair week")
	xtrModelWords = xtrSet("pro max plus mini ultra lite edition")
	xtrIndexHeads = xtrSet("index average")
)

var xtrWireServices = xtrSet("reuters afp ap bloomberg xinhua tass dpa ansa efe kyodo yonhap anadolu")

// xtrWordTable names a word table of the engine and the reason for its
// rows; TestCueRowsHaveReasons checks every table has one.
type xtrWordTable struct {
	name, reason string
	words        map[string]bool
}

// xtrWordTables are the word tables the engine's decisions rest on.
var xtrWordTables = []xtrWordTable{
	{"xtrDealNouns", "nouns naming agreements between parties", xtrDealNouns},
	{"xtrTruceNouns", "agreements that hold over time and can be broken", xtrTruceNouns},
	{"xtrTalkNouns", "nouns naming negotiations, whose failure leaves a matter open", xtrTalkNouns},
	{"xtrTopicWords", "nouns naming what parties negotiate (wages, tariffs, territory, hostages)", xtrTopicWords},
	{"xtrClaimNouns", "nouns naming claims and allegations, which can be rejected or denied", xtrClaimNouns},
	{"xtrNegators", "negation words of the six languages read", xtrNegators},
	{"xtrAux", "auxiliaries and adverbs a negation reaches across", xtrAux},
	{"xtrModals", "English modal verbs: a commitment made with one can hang on a condition", xtrModals},
	{"xtrTitles", "titles and offices before a person's name, never names themselves", xtrTitles},
	{"xtrNationalities", "nationality adjectives, which qualify names but are not actors", xtrNationalities},
	{"xtrNotNames", "capitalised words that are never names: weekdays, months, pronouns, sentence adverbs", xtrNotNames},
	{"xtrSpeech", "verbs of saying, which mark a speaker", xtrSpeech},
	{"xtrMonthAbbrevs", "abbreviations of months and weekdays: dates, not actors", xtrMonthAbbrevs},
	{"xtrPlaceAbbrevs", "postal abbreviations of US states and districts written after a city: places", xtrPlaceAbbrevs},
	{"xtrCelestial", "celestial bodies: places and objects of study, never parties acting", xtrCelestial},
	{"xtrEventHeads", "last words of event and holiday names (World Cup, Black Friday): occasions, not parties", xtrEventHeads},
	{"xtrModelWords", "model suffixes of product names (MacBook Pro, Pro Max): goods, not parties", xtrModelWords},
	{"xtrIndexHeads", "last words of market index names (Dow Jones Industrial Average): figures that move, not parties", xtrIndexHeads},
	{"xtrWireServices", "news agencies: the sources of a report, not actors in it", xtrWireServices},
	{"xtrOrgHeads", "head nouns of organisation and building names, never shortened like a surname", xtrOrgHeads},
	{"xtrIrregularPast", "irregular English past tenses that mark a name as a verb's subject", xtrIrregularPast},
	{"xtrJointWords", "words naming several parties acting together", xtrJointWords},
	{"xtrObjectStarts", "words that begin a verb's object or complement, never a noun after an adjective", xtrObjectStarts},
	{"xtrWithheld", "what 'denied' withholds rather than contests", xtrWithheld},
	{"xtrDefendedThings", "what is defended in sport or war rather than against criticism", xtrDefendedThings},
}
