package resolver

// The model's priors. Estimates from the data are blended with default
// probabilities by pseudo-counts, as a Dirichlet (or Beta) prior would
// blend them, so that a model trained on a handful of records behaves as
// a sensible default model and one trained on many records follows its
// data: with 10 random pairs u is the default, with 150,000 it is the
// data's.
const (
	// uPrior is how many random pairs the default u probabilities are
	// worth.
	uPrior = 2000
	// mPrior is how many matching pairs the default m probabilities are
	// worth in each EM step.
	mPrior = 30
	// lambdaPrior is how many record pairs the default prior match
	// probability, 1/N for N records, is worth.
	lambdaPrior = 1000
	// tfAlpha is how many records, per value, the default share of a
	// value (the default u of the exact level) is worth in term
	// frequencies: as if each of the 1/u values a field may take had been
	// seen tfAlpha times more, so that a value seen twice among five
	// records is not taken for a common one.
	tfAlpha = 1
)

// levelDefaults holds a comparison kind's default m and u per level, in
// level order with 0 for the null level; the u of the "else" level is
// what the other levels leave. They are rough figures of person data in
// general (as Splink's default m and u are), not of any one data set.
var levelDefaults = [numKinds]struct{ m, u []float64 }{
	kGiven: {
		m: []float64{0, .80, .01, .04, .06, .04, .01, .01, .04},
		u: []float64{0, .005, .0001, .001, .002, .02, .001, .0002, 0},
	},
	kFamily: {
		m: []float64{0, .85, .06, .02, .02, .05},
		u: []float64{0, .002, .001, .002, .02, 0},
	},
	kDOB: {
		m: []float64{0, .85, .06, .01, .03, .05},
		u: []float64{0, .00005, .001, .00005, .005, 0},
	},
	kEmail: {
		m: []float64{0, .80, .05, .05, .10},
		u: []float64{0, .0001, .0001, .0001, 0},
	},
	kPhone: {
		m: []float64{0, .80, .05, .05, .10},
		u: []float64{0, .0001, .0001, .0002, 0},
	},
	kAddress1: {
		m: []float64{0, .70, .10, .10, .10},
		u: []float64{0, .0005, .001, .01, 0},
	},
	kAddress2: {
		m: []float64{0, .70, .10, .20},
		u: []float64{0, .01, .01, 0},
	},
	kLocality: {
		m: []float64{0, .85, .05, .10},
		u: []float64{0, .01, .005, 0},
	},
	kPostcode: {
		m: []float64{0, .85, .05, .10},
		u: []float64{0, .005, .02, 0},
	},
	kRegion: {
		m: []float64{0, .95, .05},
		u: []float64{0, .2, 0},
	},
	kGender: {
		m: []float64{0, .95, .05},
		u: []float64{0, .5, 0},
	},
	kIdentifier: {
		m: []float64{0, .90, .03, .07},
		u: []float64{0, .00001, .0001, 0},
	},
	kPlace: {
		m: []float64{0, .60, .10, .08, .07, .03, .04, .08},
		u: []float64{0, .0002, .0002, .0003, .003, .002, .02, 0},
	},
}

// defaultM returns kind k's default m of level l (l > 0).
func defaultM(k kind, l int) float64 {
	d := levelDefaults[k].m
	sum := 0.0
	for _, v := range d {
		sum += v
	}
	return d[l] / sum
}

// defaultU returns kind k's default u of level l (l > 0); the "else"
// level takes what the others leave.
func defaultU(k kind, l int) float64 {
	d := levelDefaults[k].u
	if l < len(d)-1 {
		return d[l]
	}
	rest := 1.0
	for _, v := range d[:len(d)-1] {
		rest -= v
	}
	return rest
}

// blend returns the mean of estimate est, worth n observations, and the
// default def, worth prior observations.
func blend(est, n, def, prior float64) float64 {
	if n <= 0 {
		return def
	}
	return (est*n + def*prior) / (n + prior)
}
